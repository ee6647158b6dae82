"""An allowance an 860 adds after part of the order shipped is judged as at order time
(engine.lifecycle.allowance_hold): ACME (discount approval threshold 5 %) orders 4 CA of SKU-1003; 2 CA ship and are
invoiced (INV0000001, 940.80); an 860 adds a heading 12 % C310 that no deal agrees: the order is held for a person
(ALLOWANCE_AFTER_SHIPMENT_HELD), the other 2 CA ship (856) but their 810 waits. Approved, the next 810 takes the 12 %
off (INV0000002, TDS 827.90); rejected, it goes without (TDS 940.80). Within the threshold (3 %), or matching a deal,
the order is not held and the next 810 takes it off, as before. It used to take the 12 % off the next 810 with nobody
approving it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from connectors.state import StateStore
from engine import lifecycle
from tests.support import run_stages
from tests.test_deal_after_shipment import DAY2, _invoices, _ship, changed_after_shipping
from tests.test_promotions_860 import TWELVE, _state

THREE = "SAC*A*C310****1*3*****02"
DAY3 = datetime(2026, 11, 29, 15)


def _held_night(tmp_path, change: str = TWELVE):
    """PO-1 ordered, 2 CA shipped and invoiced, the 860 adding ``change`` (no deal): the other 2 CA open."""
    return changed_after_shipping(tmp_path, change=(change,))


def _decide(ws, verdict: str, note: str = "") -> None:
    state = StateStore(ws.state_path)
    try:
        record = state.order("acme", "PO-1")
        state.apply(lifecycle.plan_person_decision(record, verdict, by="finance", note=note,
                                                   at="2026-11-29T09:00:00", lines=state.order_lines("acme", "PO-1")))
    finally:
        state.close()


def _record(ws):
    state = StateStore(ws.state_path)
    try:
        return state.order("acme", "PO-1")
    finally:
        state.close()


def test_an_allowance_over_the_threshold_holds_the_next_810_until_approved(tmp_path):
    ws = _held_night(tmp_path)
    state, found = _state(ws)
    assert state == "held", found
    record = _record(ws)
    assert record.hold_codes == ("ALLOWANCE_AFTER_SHIPMENT_HELD",)
    [why] = [m for c, m in found if c == "ALLOWANCE_AFTER_SHIPMENT_HELD"]
    assert "SAC*A*C310 12 % at the heading" in why and "over the 5% that needs approval" in why, why
    _ship(ws, DAY2, "SHP-9002")  # the rest ships (856) while held: no 810 for it
    assert _state(ws)[0] == "held"
    assert [i[0] for i in _invoices(ws)] == ["INV0000001"]
    _decide(ws, lifecycle.VERDICT_APPROVED)
    assert _state(ws)[0] == "shipped"
    run_stages(ws, DAY3)
    first, second = _invoices(ws)
    assert first == ("INV0000001", [], "94080")
    assert second[0] == "INV0000002" and second[2] == "82790", second
    assert [(s[1], s[2], s[5], s[7]) for s in second[1]] == [("A", "C310", "11290", "12")]
    assert _state(ws)[0] == "invoiced"
    from tests.test_rg86_finance_nights import _reconciled

    got = _reconciled(ws, datetime(2026, 11, 30, 9), "rec")  # approved: the 12 % since the 860 is the promise
    [row] = [c for c in got["charges"] if c["code"] == "C310"]
    assert (row["expected_on_invoice"], row["billed_value"], row["flag"]) == (Decimal("112.90"), Decimal("112.90"),
                                                                              None), row


def test_a_rejected_allowance_leaves_the_next_810_without_it(tmp_path):
    ws = _held_night(tmp_path)
    _ship(ws, DAY2, "SHP-9002")
    _decide(ws, lifecycle.VERDICT_REJECTED, "no promotion agreed for the fall")
    assert _state(ws)[0] == "shipped"
    run_stages(ws, DAY3)
    first, second = _invoices(ws)
    assert second == ("INV0000002", [], "94080"), second
    assert _state(ws)[0] == "invoiced"


def test_an_allowance_within_the_threshold_goes_on_the_next_810_as_before(tmp_path):
    ws = _held_night(tmp_path, THREE)
    state, found = _state(ws)
    assert state == "partially_shipped", found
    assert not [c for c, _m in found if c == "ALLOWANCE_AFTER_SHIPMENT_HELD"]
    _ship(ws, DAY2, "SHP-9002")
    first, second = _invoices(ws)
    assert second[0] == "INV0000002" and second[2] == "91258", second  # 940.80 less 3 % (28.22)
    assert _state(ws)[0] == "invoiced"


def test_an_allowance_a_deal_agrees_is_not_held(tmp_path):
    ws = _held_night(tmp_path, f"{TWELVE}*FALL26")
    assert _state(ws)[0] == "partially_shipped"


def test_ops_approves_in_the_cli_and_the_revised_855_states_no_unapproved_allowance(tmp_path):
    """`orderbridge approve PO-1` records it (saying the next 810 takes the allowance off, no 855); the revised 855
    answering the 860 on its night stated no SAC (nothing agreed yet: a 12 % no deal agrees)."""
    from typer.testing import CliRunner

    from flows.cli import app
    from tests.test_deal_acks import _acks, _sacs

    ws = _held_night(tmp_path)
    _acked, revised = _acks(ws)
    assert revised[0][1] == "05" and _sacs(revised) == ([], {"1": []})
    res = CliRunner().invoke(app, ["approve", "PO-1", "--partner", "acme", "--by", "finance", "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    assert "its next 810 takes the allowance off" in " ".join(res.output.split())
    assert _state(ws)[0] == "partially_shipped"  # 2 CA still to ship
    _ship(ws, DAY2, "SHP-9002")
    first, second = _invoices(ws)
    assert second[0] == "INV0000002" and second[2] == "82790", second


def test_ops_rejects_every_order_held_for_it_at_once(tmp_path):
    """`orderbridge reject --all-held --held-for ALLOWANCE_AFTER_SHIPMENT_HELD`: the batch says no 855 follows and
    the next 810 goes without the allowance; the reconciliation expects none (no ALLOWANCE_NOT_APPLIED)."""
    from typer.testing import CliRunner

    from flows.cli import app
    from tests.test_rg86_finance_nights import _reconciled

    ws = _held_night(tmp_path)
    res = CliRunner().invoke(app, ["reject", "--all-held", "--held-for", "ALLOWANCE_AFTER_SHIPMENT_HELD", "--by",
                                   "finance", "--reason", "not agreed", "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())
    assert "1 order(s) held for an allowance added after shipment: the next 810 of each goes without the allowance" \
        in out and "855" not in out.split("rejected by finance")[-1], out
    _ship(ws, DAY2, "SHP-9002")
    first, second = _invoices(ws)
    assert second == ("INV0000002", [], "94080"), second
    got = _reconciled(ws, datetime(2026, 11, 30, 9), "rec")
    assert not [c for c in got["charges"] if c["code"] == "C310"], got["charges"]
    assert not [x for x in got["exceptions"] if x["type"] in ("ALLOWANCE_NOT_APPLIED", "INVOICE_TOTAL_MISMATCH")]


def test_the_860s_carried_allowances_are_those_judged():
    """engine.lifecycle.allowance_hold.candidates and judged: of an 860's SACs, a carried allowance (SAC12 02) priced
    by a percent, an amount or a rate is judged; a bill-back (SAC12 01, not on our 810), a removal (N), a deleted
    line's (DI) or one priced by nothing is not. judged names those at the heading or on a line beyond the threshold,
    leaving out one a deal agrees and one on a line within it; none beyond: None."""
    from types import SimpleNamespace

    from engine.lifecycle.allowance_hold import candidates, judged, sac_key
    from schemas.findings import Finding

    base = {"kind": "A", "code": "C310", "agency_code": None, "percent": Decimal("4"), "amount": None, "rate": None,
            "handling": "02", "reference": None, "line_id": None, "change_type": None, "segment_position": 3}
    amount = {**base, "percent": None, "amount": Decimal("200"), "line_id": "1", "segment_position": 6}
    rate = {**base, "percent": None, "rate": Decimal("30"), "unit": "CA", "line_id": "2", "segment_position": 9}
    dropped = [{**base, "handling": "01"}, {**base, "kind": "N"}, {**base, "line_id": "1", "change_type": "DI"},
               {**base, "percent": None}]
    assert candidates([base, amount, rate, *dropped], ("02",)) == [base, amount, rate]
    change = SimpleNamespace(po_number="PO-1", source_file="change.x12", change_ref="000002101-2101-0001")
    over = Finding("DISCOUNT_OVER_THRESHOLD", "error", "PO104 456.29 less ... 6.88% below our price 470.4")
    got = judged(change, [base, amount, rate], [({"line_id": "1", "line_number": 1}, over)], frozenset(),
                 Decimal(5), ("02",))
    assert got.sacs == (base, amount), got  # line 2's rate: its line is within the threshold
    assert (got.source_file, got.change_ref) == ("change.x12", "000002101-2101-0001")
    assert got.why.startswith("PO PO-1: the 860 in change.x12 adds after shipment SAC*A*C310 4 % at the heading; "
                              "SAC*A*C310 200.00 on line 1, matching no deal agreed, which takes a line over the 5% "
                              "that needs approval, judged as at order time (line 1: PO104 456.29"), got.why
    assert judged(change, [base, amount], [({"line_id": "1", "line_number": 1}, over)],
                  frozenset({sac_key(base), sac_key(amount)}), Decimal(5), ("02",)) is None  # a deal agrees them
    assert judged(change, [base], [], frozenset(), Decimal(5), ("02",)) is None


def test_a_heading_amount_is_judged_as_its_share_of_the_order(tmp_path):
    """An 860's SAC*A*C310***20000 (200.00 off, SAC05 N2) after shipment is 10.63 % of the 1881.60 order, spread over
    its line by value as at order time: PO104 470.40 nets 420.40, 10.63 % below our price: held; 50.00 (2.66 %) is
    not held."""
    ws = _held_night(tmp_path, "SAC*A*C310***20000*******02")
    state, found = _state(ws)
    assert state == "held", found
    [why] = [m for c, m in found if c == "ALLOWANCE_AFTER_SHIPMENT_HELD"]
    assert "SAC*A*C310 200.00 at the heading" in why and "is 420.40, 10.63% below our price 470.40" in why, why
    ws = _held_night(tmp_path / "small", "SAC*A*C310***5000*******02")
    assert _state(ws)[0] == "partially_shipped"


BELOW = "PO1*1*4*CA*456.29*PE*UP*614141100248"  # 3 % below our 470.40 per case (ACME's tolerance raised to 3.5)
FOUR_PERCENT = "SAC*A*C310****1*4*****02"
SAME_LINE = "POC*1*QI*4*0*CA*470.40*PE*UP*614141100248"  # line 1's POC loop, its 4 CA as ordered


def test_an_allowance_is_judged_on_the_line_net_price_as_at_order_time(tmp_path):
    """ACME's line is priced 3 % below ours (456.29, within a tolerance of 3.5 %: answered, shipped in part, invoiced
    as INV0000001 912.58); the 860 adds a heading 4 % C310 (no deal): within the 5 % threshold on its own, but the line
    nets 438.0384, 6.88 % below our price, as the rules judge it at order time (rules.business.money._allowance_price):
    held. It used to be judged by its own 4 % and taken off the next 810 unapproved."""
    ws = changed_after_shipping(tmp_path, change=(FOUR_PERCENT,), line=(BELOW,), tolerance="3.5")
    assert _invoices(ws)[0] == ("INV0000001", [], "91258")
    state, found = _state(ws)
    assert state == "held", found
    [why] = [m for c, m in found if c == "ALLOWANCE_AFTER_SHIPMENT_HELD"]
    assert "SAC*A*C310 4 % at the heading" in why and "is 438.0384, 6.88% below our price 470.40" in why, why
    assert _record(ws).hold_reasons == (why,)
    _ship(ws, DAY2, "SHP-9002")
    assert [i[0] for i in _invoices(ws)] == ["INV0000001"]  # the rest's 810 waits for a person
    ws = changed_after_shipping(tmp_path / "ours", change=(FOUR_PERCENT,))  # the line at our price: 4 % is within
    assert _state(ws)[0] == "partially_shipped"


def test_a_line_amount_or_rate_added_after_shipment_is_judged(tmp_path):
    """An 860's POC loop for line 1 sends SAC*A*C310 200.00 (SAC05), or 30.00 per CA for 4 CA (SAC08-SAC10:
    120.00): 10.63 % and 6.38 % off the line's 1881.60, beyond the 5 % threshold: held, each named. 10.00 per CA
    (2.13 %) is not. They used to be left unjudged and taken off the next 810."""
    for sub, sac, said, below in (("amount", "SAC*A*C310***20000*******02", "SAC*A*C310 200.00 on line 1", "10.63%"),
                                  ("rate", "SAC*A*C310******30*CA*4**02", "SAC*A*C310 30 per CA on line 1", "6.38%")):
        ws = changed_after_shipping(tmp_path / sub, change=(SAME_LINE, sac))
        state, found = _state(ws)
        assert state == "held", (sub, found)
        [why] = [m for c, m in found if c == "ALLOWANCE_AFTER_SHIPMENT_HELD"]
        assert said in why and f"{below} below our price 470.40" in why, why
    ws = changed_after_shipping(tmp_path / "small", change=(SAME_LINE, "SAC*A*C310******10*CA*4**02"))
    assert _state(ws)[0] == "partially_shipped"
    _ship(ws, DAY2, "SHP-9002")
    second = _invoices(ws)[1]  # the 10.00 per CA goes on the next 810, as before: 2 CA invoiced, 20.00 off
    assert second[0] == "INV0000002" and second[2] == "92080", second


SIX = "SAC*A*B720****1*6*****02"  # a 6 % B720 no deal agrees: 6 % below our price on the line


def test_rejecting_drops_only_the_allowance_judged(tmp_path):
    """The 860 sends the FALL26 12 % C310 a deal agrees and a 6 % B720 no deal agrees: held for the B720 alone (the
    deal's 12 % is pre-approved, not judged), its finding keeping the B720 as the allowance judged. Rejected, the next
    810 goes without the B720 but with the deal's 12 % (INV0000002 TDS 827.90), and the reconciliation expects the
    12 % (112.90, tied) and no B720. A rejection used to drop every allowance of the 860 (TDS 940.80)."""
    from tests.test_rg86_finance_nights import _reconciled

    ws = _held_night(tmp_path, f"{TWELVE}*FALL26")
    assert _state(ws)[0] == "partially_shipped"  # (the deal's 12 % alone is not held)
    ws = changed_after_shipping(tmp_path / "both", change=(f"{TWELVE}*FALL26", SIX))
    state, found = _state(ws)
    assert state == "held", found
    [why] = [m for c, m in found if c == "ALLOWANCE_AFTER_SHIPMENT_HELD"]
    assert "SAC*A*B720 6 % at the heading" in why and "C310 12 %" not in why.split("judged as at order time")[0], why
    _ship(ws, DAY2, "SHP-9002")
    _decide(ws, lifecycle.VERDICT_REJECTED, "B720 not agreed")
    run_stages(ws, DAY3)
    first, second = _invoices(ws)
    assert second[0] == "INV0000002" and second[2] == "82790", second
    assert [(s[1], s[2], s[5], s[7]) for s in second[1]] == [("A", "C310", "11290", "12")]
    got = _reconciled(ws, datetime(2026, 11, 30, 9), "rec")
    [row] = [c for c in got["charges"] if c["code"] == "C310"]
    assert (row["expected_on_invoice"], row["billed_value"], row["flag"]) == (Decimal("112.90"), Decimal("112.90"),
                                                                              None), row
    assert not [c for c in got["charges"] if c["code"] == "B720"], got["charges"]


def test_rejecting_keeps_what_an_earlier_860_brought(tmp_path):
    """An earlier 860 brought the FALL26 12 % (a deal agrees it: not held); a second 860 adds the 6 % B720 no deal
    agrees: held. Rejected, the next 810 takes the earlier 12 % off and not the B720 (TDS 827.90): a rejection used
    to drop the allowances of every 860 received before it."""
    from tests.test_change_units_860 import x12_860

    ws = _held_night(tmp_path, f"{TWELVE}*FALL26")
    assert _state(ws)[0] == "partially_shipped"
    (ws.drop_root / "acme" / "inbox" / "change2.x12").write_bytes(
        x12_860(["BCH*04*SA*PO-1***20261127", SIX, "CTT*0"], control=2102))
    run_stages(ws, datetime(2026, 11, 28, 9))
    state, found = _state(ws)
    assert state == "held", found
    [why] = [m for c, m in found if c == "ALLOWANCE_AFTER_SHIPMENT_HELD"]
    assert why.startswith("PO PO-1: the 860 in change2.x12 adds after shipment SAC*A*B720 6 % at the heading,"), why
    _ship(ws, DAY2, "SHP-9002")
    _decide(ws, lifecycle.VERDICT_REJECTED, "B720 not agreed")
    run_stages(ws, DAY3)
    second = _invoices(ws)[1]
    assert second[0] == "INV0000002" and second[2] == "82790", second
    assert [(s[1], s[2], s[5]) for s in second[1]] == [("A", "C310", "11290")]


def _further(ws, body: list[str]) -> None:
    """A further 860 (change2.x12) to PO-1, the morning after the one that held it."""
    from tests.test_change_units_860 import x12_860

    (ws.drop_root / "acme" / "inbox" / "change2.x12").write_bytes(
        x12_860(["BCH*04*SA*PO-1***20261127", *body, f"CTT*{sum(s.startswith('POC') for s in body)}"], control=2102))
    run_stages(ws, datetime(2026, 11, 28, 9))


RAISE5 = "POC*1*QI*5*1*CA*470.40*PE*UP*614141100248"  # line 1 raised to 5 CA


def test_a_further_860_keeps_the_hold_its_code_and_reason(tmp_path):
    """Held for the 12 %, a further 860 raises line 1 to 5 CA (the rules decide the raise): the order is held again
    with the same code and reason (it used to go back to partially_shipped, its next 810 taking the 12 % off
    unapproved). Approved, it goes back by what is left to ship. One changing a date alone leaves it
    held as it was."""
    ws = _held_night(tmp_path)
    reason = _record(ws).hold_reasons
    _further(ws, [RAISE5])
    record = _record(ws)
    assert (record.state.value, record.hold_codes, record.hold_reasons) == (
        "held", ("ALLOWANCE_AFTER_SHIPMENT_HELD",), reason), record
    _decide(ws, lifecycle.VERDICT_APPROVED)
    assert _state(ws)[0] == "partially_shipped"  # 3 CA left to ship
    ws = _held_night(tmp_path / "dated")
    _further(ws, ["DTM*002*20261215"])
    record = _record(ws)
    assert (record.state.value, record.hold_codes, record.hold_reasons) == (
        "held", ("ALLOWANCE_AFTER_SHIPMENT_HELD",), reason), record


def test_a_further_860_withdrawing_the_allowance_lets_the_order_go(tmp_path):
    """Held for the 12 %, a further 860 takes it off (SAC*N*C310): nothing is left to decide, the order goes back to
    partially_shipped without the hold, its history saying why, and the rest's 810 goes without the 12 % (TDS
    940.80). With a raise besides, the rules decide the raise and the order is not held again. It used to stay held
    for a person to decide an allowance the buyer had withdrawn."""
    ws = _held_night(tmp_path)
    _further(ws, ["SAC*N*C310"])
    record = _record(ws)
    assert (record.state.value, record.hold_codes) == ("partially_shipped", ()), record
    state = StateStore(ws.state_path)
    try:
        notes = [e["note"] for e in state.order_history("acme", "PO-1") if e["event"] == "allowance_decided"]
    finally:
        state.close()
    assert notes == ["the 860 in change2.x12 withdrew the allowance held after shipment: nothing to decide; the next "
                     "810 goes without it"], notes
    _ship(ws, DAY2, "SHP-9002")
    assert _invoices(ws)[1] == ("INV0000002", [], "94080")
    ws = _held_night(tmp_path / "raised")
    _further(ws, ["SAC*N*C310", RAISE5])
    record = _record(ws)
    assert (record.state.value, record.hold_codes) == ("partially_shipped", ()), record


def test_an_allowance_added_after_the_order_was_invoiced_in_full_is_said(tmp_path):
    """PO-1 shipped and invoiced in full (INV0000001, INV0000002); an 860 then adds a 12 % C310: no 810 remains to
    take it off, so nothing is held; ops get a warning (ALLOWANCE_AFTER_INVOICED) naming the order, the 860 and the
    allowance, its consequence saying no invoice remains to carry it, and the failures report shows it. It used to
    pass in silence."""
    from engine.report_failures import HINTS, failure_table
    from tests.test_change_units_860 import x12_860

    ws = changed_after_shipping(tmp_path, change=("DTM*002*20261214",))
    _ship(ws, DAY2, "SHP-9002")
    assert _state(ws)[0] == "invoiced"
    (ws.drop_root / "acme" / "inbox" / "change3.x12").write_bytes(
        x12_860(["BCH*04*SA*PO-1***20261127", TWELVE, "CTT*0"], control=2103))
    run_stages(ws, DAY3)
    state = StateStore(ws.state_path)
    try:
        rows = [f for f in state.findings(partner="acme", po_number="PO-1") if f["code"] == "ALLOWANCE_AFTER_INVOICED"]
        kept = [tuple(r) for r in state._q("SELECT our_810s FROM findings WHERE code = 'ALLOWANCE_AFTER_INVOICED'")]
        record = state.order("acme", "PO-1")
    finally:
        state.close()
    [row] = rows
    assert (row["severity"], row["file"], row["stage"]) == ("warning", "change3.x12", "decide"), row
    assert row["message"].startswith("PO PO-1: the 860 in change3.x12 adds SAC*A*C310 12 % at the heading after the "
                                     "order was invoiced in full"), row["message"]
    assert "no invoice remains to carry it" in row["message"]
    # what it would have come to on the 810s sent (4 CA at 470.40 invoiced: 12 % of 1881.60), for a credit memo by hand
    assert "On the 810s sent it would have come to 225.79 USD (SAC*A*C310 12 % at the heading: 225.79 USD)" in \
        row["message"], row["message"]
    assert kept == [("SAC*A*C310 12 % at the heading: 225.79 USD",)], kept  # the detail keeps it as data
    assert row["consequence"] == "none: no invoice remains to carry the allowance (no 810 takes it off; nothing held)"
    assert record.state.value in ("invoiced", "closed") and record.hold_codes == (), record
    assert len(_invoices(ws)) == 2
    assert "ALLOWANCE_AFTER_INVOICED" in HINTS
    state = StateStore(ws.state_path)
    try:
        shown = failure_table(state.findings_table([DAY3.strftime("%Y%m%d")])).to_pylist()
    finally:
        state.close()
    [line] = [r for r in shown if r["code"] == "ALLOWANCE_AFTER_INVOICED"]
    assert "no invoice remains to carry the allowance" in " ".join(str(v) for v in line.values()), line


def test_a_further_860_changing_the_allowance_held_is_judged_again(tmp_path):
    """Held for the 12 %, a further 860 sends the C310 at 15 % instead: the 12 % no longer stands, but the 15 % needs
    a person too: the order stays held, its reason now the 15 % (judged again, the history says so), and a rejection
    drops both (INV0000002 at 940.80). Without judging it again, withdrawing the 12 % let the order go with the 15 %
    unapproved."""
    ws = _held_night(tmp_path)
    _further(ws, ["SAC*A*C310****1*15*****02"])
    record = _record(ws)
    assert (record.state.value, record.hold_codes) == ("held", ("ALLOWANCE_AFTER_SHIPMENT_HELD",)), record
    [reason] = record.hold_reasons
    assert reason.startswith("PO PO-1: the 860 in change2.x12 adds after shipment SAC*A*C310 15 % at the heading"), \
        reason
    state = StateStore(ws.state_path)
    try:
        events = [(e["event"], e["note"]) for e in state.order_history("acme", "PO-1")][-2:]
    finally:
        state.close()
    assert events == [("allowance_decided", "judged again: the 860 in change2.x12 changes the allowance held"),
                      ("allowance_held", reason)], events
    _ship(ws, DAY2, "SHP-9002")
    _decide(ws, lifecycle.VERDICT_REJECTED, "neither agreed")
    run_stages(ws, DAY3)
    assert _invoices(ws)[1] == ("INV0000002", [], "94080")
