"""An 850 whose heading CSH01 is SC "Ship Complete" (code list 563; X12 pairs it with BK "Ship Partial -
Balance Back Order", our default, and P4 "Do Not Preship"): the buyer takes the order in one shipment.
With a line stock cannot cover now, the 855 used to promise the covered units now (IA / BP dated today or
the DTM 010) and the rest IB at the receipt's date: a partial shipment the buyer ruled out. Now every line
of such an order is promised for the day the whole order can ship (the latest promise of its lines); a
line partly covered now waits whole (IB). Units no receipt covers are answered IR as before: they are out
of the order, which ships complete without them. A warehouse confirmation that leaves part of such an
order open still sends its 856 (the goods left), with a SHIPPED_NOT_COMPLETE warning naming the PO and
what is left."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pyarrow as pa
import pytest

from connectors.state import StateStore
from engine.answer import status_table
from parsers.x12_reader import read_interchanges
from tests.support import make_workspace, run_stages, ship_stages, shipping_workspace, x12_850
from tests.test_sales_requirements import NIGHT, amazon_po


def _acks(ws) -> list[list[list[str]]]:
    """The ACKs (ACK01, ACK02, ACK05) under each PO1 of the one 855 acme got."""
    [path] = sorted(ws.drop_root.glob("acme/outbox/*-855-*.x12"))
    return _acks_of(path)


def _night(ws, csh: str | None) -> None:
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "po.x12").write_bytes(x12_850(amazon_po(csh)))
    run_stages(ws, NIGHT)


def test_a_ship_complete_po_is_promised_whole_for_the_day_it_can_ship_complete(tmp_path):
    """SKU-1003: 48 of 96 on hand, 48 more due 2026-12-04; SKU-1005: none, due 2026-12-15; SKU-1001 in
    stock. The order can ship complete on 2026-12-15: every line is promised that day."""
    ws = make_workspace(tmp_path / "ws", partners=())
    _night(ws, "CSH*SC")
    assert _acks(ws) == [[["IB", "96", "20261215"]], [["IB", "20", "20261215"]], [["IA", "12", "20261215"]]]
    lines = StateStore(ws.state_path).order_lines("acme", "2K7BXMPZ")
    # what stock covers stays reserved for the order (it ships with the rest); the promise is the order's day
    assert [(ln.allocated, ln.backordered, ln.promised_date) for ln in lines] == [
        (48, 48, date(2026, 12, 15)), (0, 20, date(2026, 12, 15)), (12, 0, date(2026, 12, 15))]


def test_ship_partial_balance_backorder_and_do_not_preship_keep_the_usual_answer(tmp_path):
    for code in ("BK", "P4"):
        ws = make_workspace(tmp_path / code, partners=())
        _night(ws, f"CSH*{code}")
        assert _acks(ws) == [[["BP", "48", "20261127"], ["IB", "48", "20261204"]], [["IB", "20", "20261215"]],
                             [["IA", "12", "20261127"]]]


def _decided(quantities):
    n = len(quantities)
    return pa.table({"partner": ["p"] * n, "po_number": ["PO"] * n,
                     "line_number": pa.array(range(1, n + 1), pa.int32()),
                     "quantity": pa.array(quantities, pa.decimal128(18, 4)), "ack01": pa.array([None] * n, pa.string()),
                     "action": [""] * n, "reason": [""] * n, "unit_price": pa.array([None] * n, pa.decimal128(18, 4)),
                     "unit_eaches": pa.array([1] * n, pa.int64())})


def _rows(*rows):
    names = ["order_ref", "line_number", "warehouse", "ordered", "allocated", "backordered", "rejected",
             "promised_date", "reason"]
    table = {k: [r[i] for r in rows] for i, k in enumerate(names)}
    return pa.table({**table, "line_number": pa.array(table["line_number"], pa.int32()),
                     **{k: pa.array(table[k], pa.decimal128(18, 4)) for k in ("ordered", "allocated", "backordered",
                                                                              "rejected")},
                     "promised_date": pa.array(table["promised_date"], pa.date32())})


def test_units_no_receipt_covers_are_out_of_the_order_and_the_rest_ships_complete():
    """Line 1: 4 of 10 in stock, no receipt for the rest (IR 6); line 2: 5 due 2026-12-09; line 3 in stock.
    The IR units leave the order; what remains ships complete on 2026-12-09, DTM 010 2026-12-01 before it."""
    from decimal import Decimal as D
    allocation = _rows(("p|PO", 1, "W", D(4), D(4), D(0), D(0), None, "partial"),
                       ("p|PO", 1, "", D(6), D(0), D(0), D(6), None, "no_receipt"),
                       ("p|PO", 2, "", D(5), D(0), D(5), D(0), date(2026, 12, 9), "backordered"),
                       ("p|PO", 3, "W", D(2), D(2), D(0), D(0), None, "filled"))
    ship = pa.array([date(2026, 12, 1)] * 3, pa.date32())
    plain = status_table(_decided([10, 5, 2]), np.zeros(3, bool), ship, allocation)
    whole = status_table(_decided([10, 5, 2]), np.zeros(3, bool), ship, allocation, np.ones(3, bool))

    def parts(t):
        return [[(p["status"], int(p["quantity"]), p["date"]) for p in line] for line in t["parts"].to_pylist()]
    assert parts(plain) == [[("IQ", 4, date(2026, 12, 1)), ("IR", 6, None)], [("IB", 5, date(2026, 12, 9))],
                            [("IA", 2, date(2026, 12, 1))]]
    assert parts(whole) == [[("IQ", 4, date(2026, 12, 9)), ("IR", 6, None)], [("IB", 5, date(2026, 12, 9))],
                            [("IA", 2, date(2026, 12, 9))]]
    assert whole["promised_date"].to_pylist() == [date(2026, 12, 9)] * 3
    # nothing waits for a receipt: the order ships (complete, less the IR units) on its day, as always
    covered = allocation.filter(pa.array([True, True, False, True]))
    assert parts(status_table(_decided([10, 2]).set_column(2, "line_number", pa.array([1, 3], pa.int32())),
                              np.zeros(2, bool), ship[:2], covered, np.ones(2, bool))) == [
        [("IQ", 4, date(2026, 12, 1)), ("IR", 6, None)], [("IA", 2, date(2026, 12, 1))]]


EAST = ("Shipment ID,Ship Date,Ship Time,Carrier,Service Level,Tracking Number,BOL,PO Number,PO Line,SKU,Quantity,"
        "Unit,Carton ID,Carton Weight,Weight Unit,Pallet ID\n")


@pytest.mark.parametrize("csh", ["CSH*SC", None])
def test_a_shipment_that_leaves_a_ship_complete_order_open_is_sent_with_a_warning(tmp_path, csh):
    """Line 3 (12 of SKU-1001) ships; lines 1 and 2 wait for the order's day. Without SC: no warning."""
    ws = shipping_workspace(tmp_path / "ws", partners=())
    _night(ws, csh)
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "east-shipments-20261127.csv").write_text(
        EAST + "SHP-9001,2026-11-27,14:05,UPSN,G2,1Z999AA10123456784,BOL-9001,2K7BXMPZ,3,SKU-1001,12,EA,C-9001,"
        "10,LB,\n")
    [east, *_rest] = ship_stages(ws, datetime(2026, 11, 27, 14, 30), run_id="day1")
    assert (east.shipments, east.held, east.documents["acme:856"]) == (1, 0, 1)  # the goods left: the 856 goes
    state = StateStore(ws.state_url)
    try:
        found = [f for f in state.findings(partner="acme") if f["code"] == "SHIPPED_NOT_COMPLETE"]
    finally:
        state.close()
    if csh is None:
        assert found == []
        return
    assert [(f["po_number"], f["severity"]) for f in found] == [("2K7BXMPZ", "warning")]
    assert "Shipment SHP-9001 for PO 2K7BXMPZ" in found[0]["message"]
    assert "line 1: 96 EA; line 2: 20 EA" in found[0]["message"]


def test_an_order_split_over_two_shipments_of_one_file_warns_on_the_first():
    from engine.lifecycle.ship_checks import ship_complete_findings

    shipped = pa.table({"shipment_id": ["S1", "S1", "S2", "S3", "S4"], "partner": ["p"] * 5,
                        "po_number": ["SC1", "SC1", "SC1", "SC2", "PLAIN"]})
    orders = pa.table({"partner": ["p"] * 3, "po_number": ["SC1", "SC2", "PLAIN"],
                       "sales_requirement": ["SC", "SC", None]})
    # after the file: SC1 shipped whole (its IR line 3 is out of the order), SC2 still has 4 open, PLAIN 5 open
    lines = pa.table({"partner": ["p"] * 6, "po_number": ["SC1", "SC1", "SC1", "SC2", "SC2", "PLAIN"],
                      "line_number": pa.array([1, 2, 3, 1, 2, 1], pa.int32()),
                      "line_id": ["1", "2", "3", "A", "B", "1"],
                      "unit": ["EA"] * 6, "allocated": pa.array([6, 2, 0, 4, 3, 5]),
                      "backordered": pa.array([0, 0, 0, 4, 0, 5]), "shipped": ["6", "2", "0", "4", "3", "5"],
                      "state": ["shipped", "shipped", "rejected", "partially_shipped", "shipped",
                                "partially_shipped"]})
    found = ship_complete_findings(shipped, orders, lines)
    assert [(f.po_number, f.finding.location.value) for f in found] == [("SC1", "S1"), ("SC2", "S3")]
    assert "shipment(s) S2 of the same file carry more" in found[0].finding.message
    assert "leaves part of the order open (line A: 4 EA)" in found[1].finding.message
    assert {f.consequence for f in found} == {"856 sent: chargeback risk"}
    assert ship_complete_findings(shipped, orders.drop_columns(["sales_requirement"]), lines) == ()
    # a partner whose allocation policy ships complete: its orders are held to it too, CSH or not
    by_policy = ship_complete_findings(shipped, orders, lines, frozenset({"p"}))
    assert [(f.po_number, f.finding.location.value) for f in by_policy] == [("SC1", "S1"), ("SC2", "S3"),
                                                                         ("PLAIN", "S4")]
    assert "the PO's CSH01 SC asks it to ship complete" in by_policy[0].finding.message
    assert "partner p's allocation policy (ship_complete) wants it to ship complete" in by_policy[2].finding.message
    assert "line 1: 5 EA" in by_policy[2].finding.message


def _policy_night(ws, body) -> None:
    profile = ws.root / "partners" / "acme.toml"
    profile.write_text(profile.read_text().replace("[allocation]\n", "[allocation]\nship_complete = true\n", 1))
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "po.x12").write_bytes(x12_850(body))
    run_stages(ws, NIGHT)


def test_a_partner_whose_policy_ships_complete_is_promised_one_day_for_the_order_too(tmp_path):
    """acme's [allocation] ship_complete = true, no CSH: the allocation holds the short order (lines whose SKUs
    have receipts take no stock and are promised from them) and the 855 tells every line the order's day,
    2026-12-15 (each its own receipt's day, 2026-12-04 and 2026-12-15, was a split delivery). Line 3 (SKU-1001,
    in stock, no receipt of it: waiting brings nothing) keeps its stock, and so do the 48 of line 1 the
    receipt of 2026-12-04 does not cover: both used to be answered IR (no_receipt), units we have cancelled."""
    ws = make_workspace(tmp_path / "ws", partners=())
    _policy_night(ws, amazon_po(None))
    assert _acks(ws) == [[["IB", "96", "20261215"]], [["IB", "20", "20261215"]], [["IA", "12", "20261215"]]]
    lines = StateStore(ws.state_path).order_lines("acme", "2K7BXMPZ")
    assert [(ln.allocated, ln.backordered, ln.promised_date) for ln in lines] == [
        (48, 48, date(2026, 12, 15)), (0, 20, date(2026, 12, 15)), (12, 0, date(2026, 12, 15))]


def test_a_line_nothing_can_bring_does_not_hold_a_ship_complete_order(tmp_path):
    """Policy ship_complete; line 2 (SKU-1030: no stock, no receipt) can never ship, so the order can never
    ship complete with it: its units are answered IR (no_receipt), out of the order, and the rest, in stock,
    ships complete now. It used to hold the order: line 1's stock released, and with no receipt of SKU-1001
    it was answered IR too: the whole order cancelled though we had line 1."""
    ws = make_workspace(tmp_path / "ws", partners=())
    _policy_night(ws, ["BEG*00*NE*2K7BXMPZ**20261126", "N1*ST**92*DC01", "PO1*1*12*EA*19.70*NT*VN*VP-1001",
                       "PO1*2*10*EA*35.06*NT*VN*VP-1030", "CTT*2*22"])
    assert _acks(ws) == [[["IA", "12", "20261127"]], [["IR", "10", ""]]]
    lines = StateStore(ws.state_path).order_lines("acme", "2K7BXMPZ")
    assert [(ln.allocated, ln.backordered) for ln in lines] == [(12, 0), (0, 0)]


def test_csh01_sc_after_a_csh_with_the_amount_only_ships_complete(tmp_path):
    """CSH**0*900000 then CSH*SC (CSH repeats, max use 5): the second CSH's SC is the order's rule."""
    ws = make_workspace(tmp_path / "ws", partners=())
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    body = amazon_po("CSH**0*900000")
    body.insert(body.index("CSH**0*900000") + 1, "CSH*SC")
    (inbox / "po.x12").write_bytes(x12_850(body))
    run_stages(ws, NIGHT)
    assert _acks(ws) == [[["IB", "96", "20261215"]], [["IB", "20", "20261215"]], [["IA", "12", "20261215"]]]


def _stock_arrives(ws, as_of: str, skus: tuple[str, ...]) -> None:
    """A snapshot of ``as_of``: the first one's, with 200 more of ``skus`` in each warehouse."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    first = pq.read_table(ws.root / "inventory" / "snapshots" / "as_of=2026-11-26" / "part-0.parquet")
    more = pc.if_else(pc.is_in(first["sku"], value_set=pa.array(skus)), pc.add(first["on_hand"], 200),
                      first["on_hand"])
    folder = ws.root / "inventory" / "snapshots" / f"as_of={as_of}"
    folder.mkdir(parents=True)
    pq.write_table(first.set_column(first.schema.get_field_index("on_hand"), "on_hand",
                                    more.cast(first.schema.field("on_hand").type)), folder / "part-0.parquet")


def _story(ws):
    state = StateStore(ws.state_url)
    try:
        lines = [(ln.allocated, ln.backordered, ln.promised_date) for ln in state.order_lines("acme", "2K7BXMPZ")]
        notes = [h["note"] for h in state.order_history("acme", "2K7BXMPZ") if h["event"] == "backorder_allocated"]
        return lines, notes
    finally:
        state.close()


def test_a_partner_policy_order_waits_whole_in_later_runs_and_ships_complete_once_all_is_there(tmp_path):
    """acme's ship_complete policy: a later night's stock for line 1 alone is not taken (the order, short of line 2,
    is held as on night 1: its lines keep the order's day); the night both SKUs are there the whole order is
    allocated and says it ships complete now."""
    ws = make_workspace(tmp_path / "ws", partners=())
    _policy_night(ws, amazon_po(None))
    _stock_arrives(ws, "2026-11-28", ("SKU-1003",))
    run_stages(ws, datetime(2026, 11, 28, 2))
    day = date(2026, 12, 15)
    assert _story(ws) == ([(48, 48, day), (0, 20, day), (12, 0, day)], [])
    _stock_arrives(ws, "2026-11-29", ("SKU-1003", "SKU-1005"))
    run_stages(ws, datetime(2026, 11, 29, 2))
    lines, notes = _story(ws)
    assert lines == [(96, 0, None), (20, 0, None), (12, 0, None)]
    assert notes == ["68 backordered unit(s) allocated from stock; the whole order is allocated: it ships complete "
                     "now (it was promised for 2026-12-15)"]


def test_a_backorder_filled_in_a_later_run_keeps_the_order_on_its_ship_complete_day(tmp_path):
    """Night 2 brings SKU-1003: line 1's 48 waiting are allocated; line 2 still waits for 2026-12-15. Line 1
    ships with the rest, so it keeps the order's day: its date used to be cleared, and `status` showed it
    ready now, before the order could ship complete. A later night that fills line 2 too allocates the whole
    order: no line carries a date, and the history says it ships complete now."""
    ws = make_workspace(tmp_path / "ws", partners=())
    _night(ws, "CSH*SC")
    _stock_arrives(ws, "2026-11-28", ("SKU-1003",))
    run_stages(ws, datetime(2026, 11, 28, 2))
    lines, notes = _story(ws)
    day = date(2026, 12, 15)
    assert lines == [(96, 0, day), (0, 20, day), (12, 0, day)]
    assert notes == ["48 backordered unit(s) allocated from stock"]
    _stock_arrives(ws, "2026-11-29", ("SKU-1003", "SKU-1005"))
    run_stages(ws, datetime(2026, 11, 29, 2))
    lines, notes = _story(ws)
    assert lines == [(96, 0, None), (20, 0, None), (12, 0, None)]
    assert notes[-1] == ("20 backordered unit(s) allocated from stock; the whole order is allocated: it ships "
                         "complete now (it was promised for 2026-12-15)")


def test_the_ship_complete_day_moves_when_the_filled_line_was_the_latest():
    from engine.lifecycle.backorders import _complete_day
    from schemas.lifecycle import LineRecord, LineState

    def ln(n, alloc, back, day, state=LineState.BACKORDERED):
        return LineRecord("p", "PO", n, state, sku="S", allocated=alloc, backordered=back, promised_date=day)

    before = [ln(1, 0, 5, date(2026, 12, 4)), ln(2, 0, 5, date(2026, 12, 15)), ln(3, 2, 0, date(2026, 12, 15),
                                                                              LineState.ALLOCATED)]
    after = [before[0], ln(2, 5, 0, None, LineState.ALLOCATED), before[2]]
    out, said = _complete_day(before, after, "r2")
    assert [x.promised_date for x in out] == [date(2026, 12, 4)] * 3
    assert said == "; the order ships complete: its day moves from 2026-12-15 to 2026-12-04 (the latest of the " \
                   "lines still waiting; no new 855 is sent)"


def _acks_of(path) -> list[list[list[str]]]:
    """The ACKs (ACK01, ACK02, ACK05) under each PO1 of the 855 at ``path``."""
    per_line: list[list[list[str]]] = []
    for r in read_interchanges(path.read_bytes()).segments.elements.to_pylist():
        if r[0] == "PO1":
            per_line.append([])
        elif r[0] == "ACK":
            per_line[-1].append([r[1], r[2], r[5] if len(r) > 5 else ""])
    return per_line


def test_an_860_revising_a_ship_complete_order_is_answered_with_one_day(tmp_path):
    """Night 2's 860 raises line 3 (SKU-1001, in stock) from 12 to 24; lines 1 and 2 still wait for 2026-12-15.
    The revised 855 re-decided line 3 alone: it promised it IA for the run's day (2026-11-28) and line 1 its
    stored backorder only (IB 48 of 96): two days, a split delivery the buyer ruled out. Now the whole order is
    promised for 2026-12-15, line 1 waiting whole, and line 3 keeps that day in the store."""
    ws = make_workspace(tmp_path / "ws", partners=())
    _night(ws, "CSH*SC")
    (ws.drop_root / "acme" / "inbox" / "chg.x12").write_text(
        "ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*ORDERBRIDGE    *261127*0200*U*00401*000001101*0*P*>~\n"
        "GS*PC*ACMERETAIL*ORDERBRIDGE*20261127*0200*1101*X*004010~\nST*860*0001~\nBCH*04*NE*2K7BXMPZ***20261126~\n"
        "POC*3*QI*24*12*EA*19.70*NT*VN*VP-1001~\nCTT*1~\nSE*5*0001~\nGE*1*1101~\nIEA*1*000001101~\n")
    run_stages(ws, datetime(2026, 11, 28, 2))
    first, revised = sorted(ws.drop_root.glob("acme/outbox/*-855-*.x12"))
    assert _acks_of(revised) == [[["IB", "96", "20261215"]], [["IB", "20", "20261215"]], [["IA", "24", "20261215"]]]
    lines, _notes = _story(ws)
    assert lines == [(48, 48, date(2026, 12, 15)), (0, 20, date(2026, 12, 15)), (24, 0, date(2026, 12, 15))]


def test_one_day_for_the_statuses_of_an_order_that_ships_complete():
    from decimal import Decimal as D

    from engine.answer import LineStatus, one_day
    from engine.po_ack import AckPart, LineAck

    def st(n, parts, alloc, back, rej, day):
        return LineStatus(n, LineAck(parts[0].status, None, parts=parts), None, alloc, back, rej, day, "", "")

    ship = date(2026, 11, 28)
    kept = [st(1, (AckPart("BP", D(4), ship), AckPart("IB", D(6), date(2026, 12, 4))), 4, 6, 0, date(2026, 12, 4)),
            st(2, (AckPart("IQ", D(3), ship), AckPart("IR", D(2))), 3, 0, 2, None)]
    out = one_day(kept, ship)
    assert [([(p.status, int(p.quantity), p.ship_date) for p in s.ack.parts], s.promised_date) for s in out] == [
        ([("IB", 10, date(2026, 12, 4))], date(2026, 12, 4)),
        ([("IQ", 3, date(2026, 12, 4)), ("IR", 2, None)], date(2026, 12, 4))]
    # nothing waits: the order ships as usual, what stock covers dated the ship day, no promise
    done = [st(1, (AckPart("IA", D(4), date(2026, 12, 15)),), 4, 0, 0, date(2026, 12, 15))]
    assert [(s.ack.parts[0].ship_date, s.promised_date) for s in one_day(done, ship)] == [(ship, None)]
