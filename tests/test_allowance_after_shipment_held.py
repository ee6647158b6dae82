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


def test_unapproved_judges_each_carried_percent_against_the_threshold_and_the_deals():
    """engine.lifecycle.allowance_hold.unapproved: a 12 % with no deal at a 5 % threshold needs a person (its words
    name why no deal agrees it); FALL26's 12 % does not, nor 3 %, nor a bill-back (SAC12 01, not on our 810), nor a
    removal (N), nor a deleted line's; with no threshold on file none is judged; 13 % of FALL26 (up to 12 %) is."""
    from datetime import date

    from engine.lifecycle.allowance_hold import unapproved

    deals = [{"partner": "acme", "deal": "FALL26", "allowance_code": "C310", "sku": None, "percent": Decimal("12"),
              "rate": None, "valid_from": date(2026, 11, 1), "valid_to": date(2026, 12, 31), "unit": None,
              "match_on": None}]
    base = {"kind": "A", "code": "C310", "agency_code": None, "percent": Decimal("12"), "handling": "02",
            "reference": None, "line_id": None, "change_type": None}
    day, five = date(2026, 11, 26), Decimal(5)

    def judged(r, threshold=five):
        return unapproved([r], deals, day, threshold, ("02",))

    [why] = judged(base)
    assert why == "SAC*A*C310 12 % at the heading (no deal number (SAC13 or REF*PD) to match deals.csv)", why
    assert judged({**base, "reference": "FALL26"}) == []
    assert judged({**base, "percent": Decimal("3")}) == []
    assert judged({**base, "handling": "01"}) == []
    assert judged({**base, "kind": "N"}) == []
    assert judged({**base, "line_id": "1", "change_type": "DI"}) == []
    assert judged(base, None) == []
    amount = {**base, "percent": None, "amount": Decimal("200")}  # 200 off an order of 1881.60: 10.63 %
    assert unapproved([amount], deals, day, five, ("02",), Decimal("1881.60")) == [
        "SAC*A*C310 200 (10.63 % of the order's 1881.6) at the heading (no deal number (SAC13 or REF*PD) to match "
        "deals.csv)"]
    assert unapproved([{**amount, "amount": Decimal("50")}], deals, day, five, ("02",), Decimal("1881.60")) == []
    assert unapproved([{**amount, "line_id": "1"}], deals, day, five, ("02",), Decimal("1881.60")) == []
    [over] = judged({**base, "percent": Decimal("13"), "reference": "FALL26", "line_id": "1"})
    assert over.startswith("SAC*A*C310 13 % on line 1 (13 % is over deal FALL26's 12 %"), over


def test_a_heading_amount_is_judged_as_its_share_of_the_order(tmp_path):
    """An 860's SAC*A*C310***20000 (200.00 off, SAC05 N2) after shipment is 10.63 % of the 1881.60 order: held; 50.00
    (2.66 %) is not held."""
    ws = _held_night(tmp_path, "SAC*A*C310***20000*******02")
    state, found = _state(ws)
    assert state == "held", found
    [why] = [m for c, m in found if c == "ALLOWANCE_AFTER_SHIPMENT_HELD"]
    assert "SAC*A*C310 200 (10.63 % of the order's 1881.6) at the heading" in why, why
    ws = _held_night(tmp_path / "small", "SAC*A*C310***5000*******02")
    assert _state(ws)[0] == "partially_shipped"
