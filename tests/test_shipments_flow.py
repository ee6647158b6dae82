"""Shipment confirmations through the stages and the state store, on the demo's data: night 1's orders,
day 1's confirmations (the east DC's CSV with one shipment in error, the north 3PL's late 945), night
2's backorder and the rest of a partial order. Every 856 and 810 is read back by our reader with right
HL chains, CTT counts, SSCC check digits and TDS totals, and accepted by Bots' grammars; orders move
shipped -> invoiced -> closed; reservations are consumed by what ships; night 2's other answers are
the same documents as without any shipping (only their control numbers moved on)."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime
from decimal import Decimal

import pytest

from connectors.state import StateStore
from engine.asn import check_856
from engine.invoice import check_810
from engine.sscc import sscc_valid, strip_ai
from parsers.x12_reader import read_interchanges
from rules.envelope import Acceptance, check_envelopes
from schemas.profile import load_profiles
from tests.support import REPO, night2_inputs, run_stages, shipping_demo, shipping_workspace

NIGHT1, DAY1, NIGHT2 = datetime(2026, 11, 27, 2), datetime(2026, 11, 27, 14, 30), datetime(2026, 11, 28, 2)
PARTNERS = ("acme", "globex", "initech", "umbrella")
OUT = Acceptance(sets={"SH": frozenset({"856"}), "IN": frozenset({"810"}), "PR": frozenset({"855"})})
PROFILES = load_profiles(REPO / "partners")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """Night 1, day 1's shipments run, night 2 (with its confirmations), as `make demo` runs them."""
    return shipping_demo(tmp_path_factory.mktemp("ship") / "ws")


def test_day_one_ships_some_orders_fully_and_some_partially(demo):
    states = demo["after_day1"]
    assert {k: v for k, v in states.items() if v in ("partially_shipped", "shipped", "invoiced", "closed")} == {
        ("acme", "ACME-1001"): "partially_shipped",  # line 4: 10 of 12
        ("globex", "GLOBEX-2001"): "partially_shipped",  # the 945: one carton of two; Globex: an 810 per PO
        # once it shipped complete, so none yet
        ("initech", "INITECH-3010"): "invoiced",  # shipped complete, an 810 per shipment
        ("umbrella", "UMB-6001"): "partially_shipped"}  # line 2 backordered
    east, north, billing = demo["day1"]
    assert (east.files, east.quarantined, east.shipments, east.held) == (1, 1, 3, 1)
    assert (north.files, north.processed, north.shipments, north.late) == (1, 1, 1, 1)
    assert billing.invoices == 3 and billing.errors == 0  # ACME-1001, INITECH-3010, UMB-6001 (per shipment)
    state = StateStore(demo["ws"].state_path)
    try:  # GLOBEX-2001 shipped in part, on day 1 and still on night 2: Globex is billed per order, complete
        assert state.invoices_for_order("globex", "GLOBEX-2001") == []
        assert [ln.shipped for ln in state.order_lines("globex", "GLOBEX-2001")] == [Decimal(24)]
    finally:
        state.close()


def test_a_confirmation_in_error_holds_that_shipment_only(demo):
    ws = demo["ws"]
    state = StateStore(ws.state_path)
    held = [f for f in state.findings() if f["stage"] == "shipments" and f["severity"] == "error"]
    assert {(f["code"], f["po_number"], f["file"], f["row_number"], f["column_name"]) for f in held} == {
        ("SHIPMENT_LINE_CLOSED", "ACME-1001", "east-shipments-20261127.csv", 8, "PO Line"),
        ("SHIPMENT_OVER_RESERVED", "ACME-1001", "east-shipments-20261127.csv", 8, "Quantity")}
    assert {f["consequence"] for f in held} == {
        "shipment SHP-1003 held: no 856, nothing consumed; the warehouse must send a corrected confirmation"}
    recorded = {s.shipment_id for s in state.shipments()}
    assert "SHP-1003" not in recorded and {"SHP-1001", "SHP-1002", "SHP-1006", "SHP-2001"} <= recorded
    assert (ws.warehouse_drop_root / "east" / "quarantine" / "east-shipments-20261127.csv").exists()
    assert (ws.warehouse_drop_root / "north" / "processed" / "north-945-20261127.x12").exists()
    late = [f for f in state.findings() if f["code"] == "ASN_LATE"]
    assert [(f["partner"], f["po_number"], f["severity"]) for f in late] == [("globex", "GLOBEX-2001", "warning")]


def test_reservations_are_consumed_by_what_ships(demo):
    reserved = demo["reserved_day1"]
    acme = {(r.line_number, r.warehouse): r.quantity for r in reserved[("acme", "ACME-1001")]}
    assert acme == {(4, "EAST"): 2}  # 12 - 10 shipped; lines 5, 6, 10 shipped whole
    assert ("initech", "INITECH-3010") not in reserved
    globex = {(r.line_number, r.warehouse): r.quantity for r in reserved[("globex", "GLOBEX-2001")]}
    assert globex == {(1, "WEST"): 24}  # 48 - the carton of 24 the 945 shipped
    assert {(r.line_number, r.quantity) for r in reserved[("acme", "ACME-1000")]} == {(1, 10), (2, 24), (3, 5)}


def test_night_two_allocates_a_backorder_ships_it_and_closes_what_is_invoiced(demo):
    state = StateStore(demo["ws"].state_path)
    states = {o.key: o.state.value for o in state.orders()}
    assert states[("umbrella", "UMB-6001")] == "invoiced" and states[("acme", "ACME-1001")] == "invoiced"
    assert states[("initech", "INITECH-3010")] == "closed"
    assert states[("globex", "GLOBEX-2001")] == "partially_shipped"  # the second carton has not shipped
    line2 = state.order_lines("umbrella", "UMB-6001")[1]
    assert (line2.allocated, line2.backordered, line2.shipped, line2.invoiced, line2.state.value) == (
        10, 0, Decimal(10), Decimal(10), "invoiced")
    events = [h["event"] for h in state.order_history("umbrella", "UMB-6001")]
    assert events == ["po_received", "allocated", "acknowledged", "shipped_in_part", "invoiced_in_part",
                      "backorder_allocated", "shipped_in_full", "invoiced_in_full"]
    (globex,) = state.order_lines("globex", "GLOBEX-2001")
    assert (globex.ordered, globex.allocated, globex.shipped, globex.invoiced) == (48, 48, Decimal(24), Decimal(0))
    assert state.reservations_for([("umbrella", "UMB-6001"), ("acme", "ACME-1001")]) == {}
    east, north, billing = demo["night2"]
    assert (east.shipments, east.held, billing.invoices, billing.closed) == (2, 0, 2, 1)  # INITECH-3010 closed


def sent(ws, kinds=("856", "810")):
    return sorted(p for p in ws.drop_root.glob("*/outbox/*.x12") if p.name.split("-")[1] in kinds)


def test_every_856_and_810_reads_back_with_right_counts_ssccs_and_totals(demo):
    ws = demo["ws"]
    docs = sent(ws)
    # 4 + 2 shipments; 3 + 2 invoices (none for GLOBEX-2001: partly shipped, Globex is billed per order)
    assert Counter(p.name.split("-")[1] for p in docs) == {"856": 6, "810": 5}
    ssccs: list[str] = []
    for path in docs:
        result = read_interchanges(path.read_bytes(), file=path.name)
        problems = [f for f in result.findings + check_envelopes(result, OUT) if f.severity == "error"]
        assert problems == [], (path.name, problems)
        for _ic, _g, ts in result.transaction_sets():
            assert ts.trailer_count == str(ts.segment_count)
            body = [list(r) for r in result.segments.elements.to_pylist()[ts.start + 1:ts.end]]
            profile = PROFILES[path.name.split("-")[0]]
            if ts.set_id == "856":
                ssccs += [strip_ai(s[2]) for s in body if s[0] == "MAN"]
                # HL01 sequential, parents of the right level, HL04, CTT01/CTT02: the 856's own check, re-run
                # on what we read back (quantities: what the document says it shipped)
                expected: Counter = Counter()
                po = line = ""
                for s in body:
                    po = s[1] if s[0] == "PRF" else po
                    line = s[1] if s[0] == "LIN" else line
                    if s[0] == "SN1":
                        expected[(po, line)] += Decimal(s[2])
                check_856(body, profile.fulfilment.asn.structure, expected, ctt_hash=True)
            else:
                check_810(body, ctt_hash=profile.fulfilment.invoice.ctt_hash)
    assert ssccs and all(sscc_valid(s) for s in ssccs) and len(ssccs) == len(set(ssccs))


def test_every_outbound_document_passes_the_bots_grammars(demo):
    edi_parser = pytest.importorskip("edi_parser")
    logging.getLogger("edi_parser").setLevel(logging.CRITICAL)
    failures = {}
    for path in sent(demo["ws"], ("855", "856", "810")):
        result = edi_parser.parse_edi_file_path(str(path), editype="x12", messagetype="x12")
        if not result.get("success"):
            failures[path.name] = result.get("errors")
    assert failures == {}


def test_the_invoices_bill_what_shipped_at_the_acknowledged_prices(demo):
    state = StateStore(demo["ws"].state_path)
    for order in state.orders():
        lines = {ln.line_number: ln for ln in state.order_lines(*order.key)}
        billed: Counter = Counter()
        for inv in state.invoices_for_order(*order.key):
            assert inv.total == inv.merchandise + inv.charges
            assert inv.merchandise == sum(ln.amount for ln in inv.lines)
            for ln in inv.lines:
                billed[ln.line_number] += ln.quantity
                price = lines[ln.line_number].ack_price or lines[ln.line_number].unit_price
                assert ln.unit_price == price
        for n, qty in billed.items():
            assert qty == lines[n].invoiced <= lines[n].shipped
    numbers = [v.invoice_number for v in state.invoices()]
    assert len(numbers) == len(set(numbers)) == 5


def test_night_two_answers_are_the_same_documents_as_without_shipping(demo, tmp_path):
    """Shipping between the nights changes nothing in night 2's 855/865/997/TA1s but their control
    numbers (the partners got 856s and 810s in between)."""
    plain = shipping_workspace(tmp_path / "plain")
    run_stages(plain, NIGHT1)
    night2_inputs(plain)
    run_stages(plain, NIGHT2)

    def bodies(ws, day) -> dict:
        out: dict = {}
        for path in sorted(ws.drop_root.glob("*/outbox/*.x12")):
            partner, kind = path.name.split("-")[:2]
            rows = read_interchanges(path.read_bytes()).segments.elements.to_pylist()
            if kind in ("856", "810") or rows[0][9] != day:
                continue
            out.setdefault((partner, kind), []).append(
                [r for r in rows if r[0] not in ("ISA", "GS", "ST", "SE", "GE", "IEA")])
        return out

    assert bodies(demo["ws"], "261128") == bodies(plain, "261128") != {}


def test_a_change_to_an_order_that_shipped_changes_only_what_did_not_ship(tmp_path):
    """GLOBEX-2001 shipped in part on day 1 (one carton of two, 24 of 48): Globex's 860 lowering it to the 24
    shipped is applied (865 AD, IQ 24; it used to be refused whole, RD): the 24 reserved are released, the
    shipped units stay, the order is complete and billed once for them (Globex: an 810 per order)."""
    from bench.synth_850 import change_order, interchange
    from tests.support import deliver_all, drop_confirmations, ship_stages

    ws = shipping_workspace(tmp_path / "ws", partners=("globex",))
    run_stages(ws, NIGHT1)
    drop_confirmations(ws, "warehouse-drops")
    ship_stages(ws, DAY1)
    deliver_all(ws, DAY1)
    state = StateStore(ws.state_path)
    before = (state.order("globex", "GLOBEX-2001"), state.order_lines("globex", "GLOBEX-2001"))
    assert before[0].state.value == "partially_shipped"
    x = PROFILES["globex"].x12
    body = change_order("GLOBEX-2001", [["1", "QD", "24", "24", "EA"]], po_date=NIGHT1.date())
    data = interchange(sender=(x.their_qualifier, x.their_id), receiver=(x.our_qualifier, x.our_id),
                       gs_ids=(x.their_gs_id, x.our_gs_id), version=x.version, d=x.delimiters.to_delimiters(),
                       when=NIGHT2.date(), isa13=2201, set_id="860", functional_id="PC", bodies=[body])
    (ws.drop_root / "globex" / "inbox" / "change.x12").write_bytes(data)
    results, run = run_stages(ws, NIGHT2)
    assert not {"CHANGE_AFTER_SHIPMENT", "CHANGE_BELOW_SHIPPED"} & {f.code for f in run.findings}
    (answer,) = [p for p in (ws.drop_root / "globex" / "outbox").glob("*-865-*.x12")]
    rows = read_interchanges(answer.read_bytes()).segments.elements.to_pylist()
    assert next(r for r in rows if r[0] == "BCA")[2] == "AD"
    assert [r[1:3] for r in rows if r[0] == "ACK"] == [["IQ", "24"]]
    after = state.order("globex", "GLOBEX-2001")
    assert after.revision == before[0].revision + 1 and after.state.value == "invoiced"
    assert [(ln.ordered, ln.allocated, ln.shipped, ln.invoiced) for ln in state.order_lines("globex", "GLOBEX-2001")] \
        == [(Decimal(24), 24, Decimal(24), Decimal(24))]
    assert state.reservations_for([("globex", "GLOBEX-2001")]) == {}
    assert len(state.invoices_for_order("globex", "GLOBEX-2001")) == 1
    events = [h["event"] for h in state.order_history("globex", "GLOBEX-2001")]
    assert "change_completed" in events and "change_refused" not in events


def test_the_reconciliation_reads_what_the_flow_shipped_and_invoiced(demo):
    """No `orderbridge record`: the four-way match's SHIPPED and INVOICED come from our own shipments
    and delivered 810s, so an order shipped and invoiced in full through the flow has no exception."""
    from flows.reconcile import load_inputs, reconcile_run

    ws = demo["ws"]
    state = StateStore(ws.state_path)
    try:
        assert state.recorded_lines().num_rows == 0
        inputs = load_inputs(ws, state, ws.partners())
        shipped = {(r["po_number"], r["line_number"], r["shipment_id"]): r["quantity"]
                   for r in inputs.shipped.to_pylist()}
        recorded = {(ln.po_number, ln.line_number, s.shipment_id): ln.quantity
                    for s in state.shipments() for ln in s.lines}
        assert shipped.keys() == recorded.keys() and all(shipped[k] == recorded[k] for k in recorded)
        invoices = [v for pid in ws.partners() for v in state.invoices(pid)]
        billed = {(v.invoice_number, ln.line_number): ln.quantity for v in invoices for ln in v.lines}
        assert billed and {(r["invoice_number"], r["line_number"]): r["quantity"]
                           for r in inputs.invoiced.to_pylist()} == billed
        refs = {r["document_ref"] for r in inputs.sent.to_pylist() if r["doc_type"] in ("856", "810")}
        assert {v.invoice_number for v in invoices} <= refs and "SHP-1001" in refs
        reconcile_run(ws, ws.partners(), state, now=datetime(2026, 11, 29, 2), run_id="recon")
        closed = [o for o in state.orders() if o.state.value == "closed"]
        assert closed  # shipped and invoiced in full, the 810s delivered
        found = {(x["po_number"], x["type"]) for x in state.stored_exceptions(active=True).to_pylist()}
        for o in closed:
            assert not {t for po, t in found if po == o.po_number} & {
                "SHIPPED_NOT_INVOICED", "NOT_SHIPPED_BY_PROMISED_DATE", "OVER_SHIPMENT", "INVOICE_QUANTITY_MISMATCH",
                "INVOICE_PRICE_MISMATCH", "INVOICED_NOT_SHIPPED"}, (o.po_number, found)
    finally:
        state.close()


def test_the_ship_stage_collects_less_often_and_restores_the_collector_after():
    """flows.gc_pause.fewer_collections (around ship_warehouse): a young collection per 100,000 new
    containers while it runs; the thresholds as they were afterwards, also when the stage fails."""
    import gc

    from flows.gc_pause import fewer_collections

    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold() == (max(100_000, before[0]), *before[1:])
    assert gc.get_threshold() == before
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("a failed stage")
    assert gc.get_threshold() == before
