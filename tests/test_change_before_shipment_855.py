"""860s BEFORE shipment for a partner answered by revised 855s that receives no 865 (change_ack = "855"), on the
paths that do not decide the order again: a whole-order cancel (BCH01 01), a change refused whole, a change that
only moves dates, a change that touches no line. Each is answered by a revised 855 (BAK01 05) under the change's
own doc key: the cancel with every line refused (ACK IR of the buyer's quantity, BAK02 RD), the others with the
order's lines as they stand. They used to get no answer at all, and the buyer did not know whether we would ship.
INITECH-3000 (lines 1 and 2, 6 + 24, acknowledged and not shipped) of the demo's night 1 and day 1
(tests.test_change_after_shipment), INITECH's profile made one answered by 855s alone; and GLOBEX-2000's backorders
(tests.test_cancel_date_moves), for the answers built again once the night's backorder step ran."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from connectors.state import StateStore
from tests import test_change_after_shipment as base
from tests.support import make_workspace, run_stages
from tests.test_backorder_cancel_date import NIGHT1 as GLOBEX_NIGHT1
from tests.test_backorder_cancel_date import globex_with, story
from tests.test_cancel_date_moves import change_860
from tests.test_change_after_shipment import NIGHT2, outbox, send_860
from tests.test_change_after_shipment_855 import acks, answered_by_855s, killed_then_rerun, revised

shipped_base, ws = base.shipped_base, base.ws  # the night 1 and day 1 workspace, copied per test
PO = "INITECH-3000"


def _as_first_answered(ws) -> dict:
    """INITECH-3000's lines as its night-1 855 stated them (PO102 and ACKs, per PO101)."""
    (doc,) = [d for d in outbox(ws, "initech", "855") if any(r[0] == "BAK" and r[3] == PO for r in d)]
    return acks(doc)


def _restated_as_answered(ws, pocs: list[list[str]], **how) -> dict:
    """INITECH made answered by 855s, the 860 (``pocs``; ``how``: send_860's purpose, heading) run on night 2: no
    865, one revised 855 stating the lines as the night-1 855 did; the order's last event, which names it."""
    first = _as_first_answered(ws)
    answered_by_855s(ws, "initech")
    send_860(ws, "initech", PO, pocs, **how)
    run_stages(ws, NIGHT2)
    assert outbox(ws, "initech", "865") == []
    assert acks(revised(ws, "initech", PO)) == first
    last = _last_event(ws)
    assert last["document_id"] and "855 " in last["note"], last
    return last


def _last_event(ws) -> dict:
    state = StateStore(ws.state_path)
    try:
        assert state.order("initech", PO).state.value in ("acknowledged", "cancelled")
        return state.order_history("initech", PO)[-1]
    finally:
        state.close()


def test_a_whole_order_cancel_before_shipment_is_answered_by_an_855_refusing_every_line(ws):
    """BCH01 01 (no POC lines) of INITECH-3000: the order is cancelled, and the revised 855 says so as retailers'
    guides ask (docs/lifecycle.md): BAK02 RD, each line kept with its quantity and ACK IR for it."""
    answered_by_855s(ws, "initech")
    send_860(ws, "initech", PO, [], purpose="01")
    run_stages(ws, NIGHT2)
    assert outbox(ws, "initech", "865") == []
    doc = revised(ws, "initech", PO)
    assert next(r for r in doc if r[0] == "BAK")[2] == "RD"
    assert acks(doc) == {"1": ["6", ("IR", "6", None)], "2": ["24", ("IR", "24", None)]}
    last = _last_event(ws)
    assert last["event"] == "change_cancelled" and last["document_id"] and "855 RD" in last["note"], last


def test_a_change_refused_whole_before_shipment_is_answered_by_a_revised_855(ws):
    """An 860 with a purpose we do not apply (BCH01 28) is refused whole: the revised 855 restates the order as we
    answered it (the buyer's change not in it), the change_refused event names it."""
    last = _restated_as_answered(ws, [["2", "QI", "30", "", "EA"]], purpose="28")
    assert last["event"] == "change_refused", last


def test_a_dates_only_change_before_shipment_is_answered_by_a_revised_855(ws):
    """An 860 without POC lines that extends INITECH-3000's cancel date: the date is taken, the order not decided
    again; the revised 855 restates the lines as answered."""
    last = _restated_as_answered(ws, [], heading=(["DTM", "001", "20261230"],))
    assert last["event"] == "change_answered" and "dates moved" in last["note"], last


def test_a_change_touching_no_line_before_shipment_is_answered_by_a_revised_855(ws):
    """An 860 whose one POC names a line the order does not have (refused: no line changed): the revised 855
    restates the order as it stands."""
    last = _restated_as_answered(ws, [["9", "QI", "5", "", "EA"]])
    assert last["event"] == "change_answered" and "changed no line" in last["note"], last


@pytest.mark.parametrize("purpose, pocs, heading", [("01", [], ()), ("04", [], (["DTM", "001", "20261230"],))])
def test_a_partner_that_receives_865s_still_gets_one_865_and_no_855(ws, purpose, pocs, heading):
    """INITECH as it is (receives 865): the cancel and the dates-only change are answered by one 865 each, as
    before; no revised 855 comes."""
    send_860(ws, "initech", PO, pocs, purpose=purpose, heading=heading)
    run_stages(ws, NIGHT2)
    assert len(outbox(ws, "initech", "865")) == 1
    assert not [d for d in outbox(ws, "initech", "855") if any(r[0] == "BAK" and r[1] == "05" for r in d)]


@pytest.mark.slow
@pytest.mark.parametrize("point", ["after-numbering", "mid-outbox-write@1"])
def test_a_kill_while_an_855_answers_a_cancel_then_a_rerun_equals_an_uninterrupted_night(
        shipped_base, tmp_path, point):
    """`orderbridge run` killed (SIGKILL) once the 855 answering INITECH's cancel is numbered, or while the outbox
    is written, then run again: outbox, state store and report equal the night without a kill, the 855 sent once."""
    killed_then_rerun(shipped_base, tmp_path, point, "initech", PO, [], purpose="01")


def _asked(ws, line: int, quantity: str) -> None:
    """INITECH-3000's line ``line`` as if its PO102 had been ``quantity`` (a fractional one, as a catch-weight LB
    line sends): its stored canonical line rewritten in place, the rest of the order as night 1 left it."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    state = StateStore(ws.state_path)
    try:
        record = state.order("initech", PO)
    finally:
        state.close()
    files = sorted((ws.orders_dir / "initech").glob(f"{record.lines_key}.lines*.parquet"))
    assert files
    for path in files:
        table = pq.read_table(path)
        mine = pc.and_(pc.equal(table["order_ref"], record.order_ref), pc.equal(table["line_number"], line))
        column = table.schema.get_field_index("quantity")
        quantity = pc.if_else(mine, pa.scalar(Decimal(quantity), table.schema.field("quantity").type),
                              table["quantity"])
        pq.write_table(table.set_column(column, table.schema.field("quantity"), quantity), path)


def test_a_cancel_states_a_fractional_po102_exactly_in_ack02(ws):
    """INITECH-3000's line 1 asked 12.5 (PO102): the revised 855 answering the cancel refuses 12.5, written as every
    855 writes a quantity (PO1 and ACK02 alike, CTT02 their sum). It used to say ACK*IR*12 (the quantity cut to
    whole units) under PO1*1*12.5, and CTT 36."""
    _asked(ws, 1, "12.5")
    answered_by_855s(ws, "initech")
    send_860(ws, "initech", PO, [], purpose="01")
    run_stages(ws, NIGHT2)
    doc = revised(ws, "initech", PO)
    assert acks(doc) == {"1": ["12.5", ("IR", "12.5", None)], "2": ["24", ("IR", "24", None)]}
    assert next(r for r in doc if r[0] == "CTT")[1:3] == ["2", "36.5"]


def _globex_answered_by_855s(tmp_path):
    """The demo's GLOBEX-2000 with a cancel date of 2026-12-20, GLOBEX answered by 855s alone, after night 1: line 4
    backorders 12 of its 36 and line 3 its 30 (tests.test_cancel_date_moves)."""
    ws = make_workspace(tmp_path / "ws")
    globex_with(ws, "DTM|001|20261220~")
    answered_by_855s(ws, "globex")
    run_stages(ws, GLOBEX_NIGHT1)
    return ws


def _globex_855s(ws) -> list[dict]:
    """GLOBEX-2000's revised 855s in the outbox, in order, as acks() reads them."""
    return [acks(doc) for doc in outbox(ws, "globex", "855") if any(r[0] == "BAK" and r[1] == "05" for r in doc)]


def test_a_cancel_date_pulled_in_past_the_run_day_restates_the_backorder_the_night_cancelled(tmp_path):
    """GLOBEX-2000 (answered by 855s) backorders 12 of line 4's 36 on night 1; an 860 that only pulls its cancel date
    in to 2026-12-05 comes on the night of 2026-12-06: the same night's backorder step cancels the 12 (late_backorder
    "reject"), and the revised 855 answering the change states line 4 as the night leaves it, 24 to ship and the 12
    refused, as the 865 path rebuilds its answers after that step. It used to say IB 12, a backorder already
    cancelled."""
    ws = _globex_answered_by_855s(tmp_path)
    change_860(ws, ["DTM*001*20261205"])
    run_stages(ws, datetime(2026, 12, 6, 2))
    _record, lines, events, _found, _reserved = story(ws)
    assert (lines[4].allocated, lines[4].backordered, lines[4].rejected) == (24, 0, 12), events
    said = acks(revised(ws, "globex", "GLOBEX-2000"))
    assert said["4"][0] == "36" and [a[:2] for a in said["4"][1:]] == [("IA", "24"), ("IR", "12")], said
    assert said["3"] == ["30", ("IR", "30", None)], said  # (its 30 waited on the same date: cancelled too)


def test_a_dates_only_855_is_not_rebuilt_from_a_later_change_of_the_same_night(tmp_path):
    """Two 860s for GLOBEX-2000 on one night: the first only extends the cancel date (a revised 855 of the lines as
    they stand), the second cuts line 1 to 10 (decided again by the rules, answered by the run's revised 855). The
    first 855 keeps line 1 at the 12 it stood at when that change was answered: it is not rebuilt after the
    backorder step from lines the later change moved."""
    ws = _globex_answered_by_855s(tmp_path)
    change_860(ws, ["DTM*001*20261230"])
    change_860(ws, [], ["POC*1*QD*10*10*EA*19.11*PE*BP*GX770000"], name="change-2.x12", control=4102, seq="2")
    run_stages(ws, datetime(2026, 12, 4, 2))
    found = _globex_855s(ws)
    assert found and found[0]["1"] == ["12", ("IA", "12", "20261210")], found


def test_each_answer_of_the_night_states_the_lines_as_the_night_leaves_them(tmp_path):
    """Two 860s for GLOBEX-2000 on the night of 2026-12-06, neither moving a line: the first pulls the cancel date in
    to 2026-12-05, the second names a line the order does not have. The night's backorder step cancels line 4's 12
    and line 3's 30; both revised 855s say so (IR), as every 865 of a night is built again after that step
    (date_shipped_answers). Only the last one used to be: the first said IB for the backorders cancelled."""
    ws = _globex_answered_by_855s(tmp_path)
    change_860(ws, ["DTM*001*20261205"])
    change_860(ws, [], ["POC*9*QD*10*10*EA*19.11*PE*BP*GX770000"], name="change-2.x12", control=4102, seq="2")
    run_stages(ws, datetime(2026, 12, 6, 2))
    found = _globex_855s(ws)
    assert len(found) == 2, found
    for said in found:
        assert said["3"] == ["30", ("IR", "30", None)] and said["4"][1:] == [("IA", "24", "20261210"),
                                                                            ("IR", "12", None)], found


def test_a_cancel_of_an_order_never_answered_is_answered_by_an_855_refusing_every_line(tmp_path):
    """ACME (answered by 855s alone) sends a blanket order (BEG02 BK) that waits for a person (ORDER_TYPE_UNSUPPORTED:
    no 855 yet), then cancels it (BCH01 01) the next night. The cancel is answered by an 855 of its own that refuses
    every line (BAK02 RD, ACK IR of each PO102), as the cancel of an answered order is. It used to get nothing: the
    buyer never heard from us about the PO, neither its 850 nor its cancel."""
    from tests.test_order_types_held import _night

    ws, state = _night(tmp_path, "BEG*00*BK*PO-1**20261126")
    assert state.order("acme", "PO-1").state == "held" and not outbox(ws, "acme", "855")
    state.close()
    answered_by_855s(ws, "acme")
    send_860(ws, "acme", "PO-1", [], purpose="01")
    run_stages(ws, NIGHT2)
    assert outbox(ws, "acme", "865") == []
    doc = revised(ws, "acme", "PO-1")
    assert next(r for r in doc if r[0] == "BAK")[2] == "RD"
    assert acks(doc) == {"1": ["10", ("IR", "10", None)], "2": ["12", ("IR", "12", None)]}
    state = StateStore(ws.state_path)
    try:
        assert state.order("acme", "PO-1").state == "cancelled"
        last = state.order_history("acme", "PO-1")[-1]
    finally:
        state.close()
    assert last["event"] == "change_cancelled" and last["document_id"] and "855 RD" in last["note"], last


def test_a_change_refused_while_its_order_waits_for_the_rules_is_answered_by_an_855_of_the_decision(tmp_path):
    """Two 860s for GLOBEX-2000 (answered by 855s alone) on one night: the first cuts line 1 to 10 (the order waits
    for the rules again), the second (BCH01 28: a purpose we do not apply) is refused. The first is answered by the
    revised 855 of the night's decision; the second now by one of its own (its doc key, numbered after the
    decision's), stating the order as the decision leaves it: the change not in it. It used to get no 855 at all
    (a refused change only got one for an order already answered and waiting for nothing)."""
    ws = _globex_answered_by_855s(tmp_path)
    change_860(ws, [], ["POC*1*QD*10*10*EA*19.11*PE*BP*GX770000"])
    text = ("ISA*00*          *00*          *01*123456789      *ZZ*ORDERBRIDGE    *261208*2300*U*00401*000004102"
            "*0*P*>~\nGS*PC*GLOBEXWHS*ORDERBRIDGE*20261208*2300*4102*X*004010~\nST*860*0001~\n"
            "BCH*28*SA*GLOBEX-2000**2*20261126~\nPOC*2*QI*50*20*EA*19.11*PE*BP*GX770000~\nCTT*1~\nSE*5*0001~\n"
            "GE*1*4102~\nIEA*1*000004102~\n")
    (ws.drop_root / "globex" / "inbox" / "change-2.x12").write_bytes(text.encode())
    run_stages(ws, datetime(2026, 12, 4, 2))
    found = _globex_855s(ws)
    assert len(found) == 2, found
    decision, refused = found
    assert refused == decision and decision["1"][0] == "10" and decision["2"][0] != "50", found
    state = StateStore(ws.state_path)
    try:
        history = state.order_history("globex", "GLOBEX-2000")
    finally:
        state.close()
    [event] = [h for h in history if h["event"] == "change_refused"]
    assert event["document_id"] and "855" in event["note"], event


@pytest.mark.parametrize("verdict, bak02", [("approve", "AD"), ("reject", "RD")])
def test_a_change_refused_while_its_order_waits_for_a_person_is_answered_with_the_person_s_decision(
        tmp_path, verdict, bak02):
    """ACME (answered by 855s alone) sends a blanket order (BEG02 BK) that waits for a person (ORDER_TYPE_UNSUPPORTED:
    no 855 yet), then an 860 of a purpose we do not apply (BCH01 28), refused whole. Nothing is decided to state yet,
    so no 855 goes that night; the change waits on the hold: its failure report line and `status` (text and --json)
    say so, and what answers it (they used to say "865 RD", an 865 this partner never receives, and status nothing),
    as do `approvals` and the approve / reject command.
    Once the person decides (approve or reject), the next run's 855 of the decision goes out and, under the change's
    own doc key, the revised 855 (BAK01 05) answering the change, numbered after it, as for a change refused while
    its order waits for the rules: the change is then refused (settled), no longer waiting on the hold."""
    import json

    from typer.testing import CliRunner

    from flows.cli import app
    from tests.test_order_types_held import _night

    ws, state = _night(tmp_path, "BEG*00*BK*PO-1**20261126")
    state.close()
    answered_by_855s(ws, "acme")
    send_860(ws, "acme", "PO-1", [["2", "QI", "30", "", "EA"]], purpose="28")
    run_stages(ws, NIGHT2)
    assert outbox(ws, "acme", "855") == [] and outbox(ws, "acme", "865") == []
    state = StateStore(ws.state_path)
    try:
        [change] = state.pending_changes(statuses=None)
        [said] = [f for f in state.findings(partner="acme", po_number="PO-1")
                  if f["code"] == "CHANGE_PURPOSE_UNSUPPORTED"]
    finally:
        state.close()
    assert change.status == "refused_on_hold"
    assert "865" not in said["consequence"] and "waits on the hold" in said["consequence"], said
    assert "the 855 of their decision" in said["consequence"], said
    shown = CliRunner().invoke(app, ["status", "PO-1", "--partner", "acme", "--json", "-w", str(ws.root)])
    assert json.loads(shown.output)["changes_on_hold"] == [
        {"file": "change-2201.x12", "change_ref": change.change_ref, "received_at": "2026-11-28T02:00:00",
         "outcome": "refused", "set": "860"}]
    text = CliRunner().invoke(app, ["status", "PO-1", "--partner", "acme", "-w", str(ws.root)]).output
    assert "860 in change-2201.x12" in " ".join(text.split()) and "waits on the hold" in " ".join(text.split())
    listed = CliRunner().invoke(app, ["approvals", "-w", str(ws.root)]).output
    assert "860 in change-2201.x12 waits on this decision" in " ".join(listed.split()), listed
    how = ["--note", "called off"] if verdict == "approve" else ["--reason", "a blanket"]
    res = CliRunner().invoke(app, [verdict, "PO-1", "--partner", "acme", "--by", "Dana", *how, "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    sent = "the 855" if verdict == "approve" else "an 855 RD refusing the order (BAK02 RD, each line ACK IR)"
    assert f"the next run sends {sent} and answers the 1 860(s) that waited on it" in " ".join(res.output.split())
    run_stages(ws, datetime(2026, 11, 29, 2))
    first, answer = outbox(ws, "acme", "855")
    bak = [next(r for r in doc if r[0] == "BAK") for doc in (first, answer)]
    assert [(b[1], b[2], b[3]) for b in bak] == [("00", bak02, "PO-1"), ("05", bak02, "PO-1")], bak
    assert acks(answer) == acks(first) and acks(first)["2"][0] == "12"  # the order as decided; not the change's 30
    state = StateStore(ws.state_path)
    try:
        [change] = state.pending_changes(statuses=None)
        keys = {d["doc_key"] for d in state.documents_for_order("acme", "PO-1")}
    finally:
        state.close()
    assert change.status == "refused" and f"855:{change.store_key}:{change.change_ref}" in keys
    shown = CliRunner().invoke(app, ["status", "PO-1", "--partner", "acme", "--json", "-w", str(ws.root)])
    assert json.loads(shown.output)["changes_on_hold"] == []


def test_a_change_waiting_on_the_hold_is_superseded_by_a_cancel_of_the_order(tmp_path):
    """As above, but the buyer then cancels the held order (BCH01 01) instead of a person deciding: the cancel's 855
    (BAK02 RD) answers the order, and the change that waited on the hold is superseded (it used to be left refused
    with no answer; waiting on the hold, it would have waited forever)."""
    from tests.test_order_types_held import _night

    ws, state = _night(tmp_path, "BEG*00*BK*PO-1**20261126")
    state.close()
    answered_by_855s(ws, "acme")
    send_860(ws, "acme", "PO-1", [["2", "QI", "30", "", "EA"]], purpose="28")
    run_stages(ws, NIGHT2)
    send_860(ws, "acme", "PO-1", [], purpose="01", isa13=2202)
    run_stages(ws, datetime(2026, 11, 29, 2))
    state = StateStore(ws.state_path)
    try:
        assert state.order("acme", "PO-1").state == "cancelled"
        assert [c.status for c in state.pending_changes(statuses=None)] == ["superseded", "answered"]
    finally:
        state.close()
    [doc] = outbox(ws, "acme", "855")
    assert next(r for r in doc if r[0] == "BAK")[1:3] == ["05", "RD"]
