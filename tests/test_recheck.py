"""`orderbridge recheck`: after the reference data is fixed, the rules run again for held orders; an
order no longer held is answered by the next run, one still held keeps waiting with fresh reasons,
and the recheck is in the order's history (wall clock, who)."""

from __future__ import annotations

from datetime import datetime

from typer.testing import CliRunner

from connectors.state import StateStore
from flows.cli import app
from parsers.x12_reader import read_interchanges
from tests.support import make_workspace, run_stages

NIGHT1, NIGHT2 = datetime(2026, 11, 27, 2), datetime(2026, 11, 28, 2)


def bak(ws, po: str) -> str | None:
    for path in ws.drop_root.glob("*/outbox/*-855-*.x12"):
        rows = read_interchanges(path.read_bytes()).segments.elements.to_pylist()
        head = next(r for r in rows if r[0] == "BAK")
        if head[3] == po:
            return head[2]
    return None


def test_recheck_clears_an_order_once_its_reference_data_is_fixed(tmp_path):
    ws = make_workspace(tmp_path / "ws", partners=("acme",))  # with its own copy of the reference data
    run_stages(ws, NIGHT1)
    state = StateStore(ws.state_path)
    assert state.order("acme", "ACME-1011").hold_codes == ("CREDIT_LIMIT_EXCEEDED",)
    runner = CliRunner()
    # nothing fixed yet: a recheck keeps both orders held
    res = runner.invoke(app, ["recheck", "--by", "Robin", "--now", "2026-11-27T09:00:00", "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    assert {o.po_number for o in state.orders(states=["held"])} == {"ACME-1010", "ACME-1011"}
    # finance raises ACME's credit limit; only ACME-1011 was held for credit
    customers = ws.root / "reference" / "customers.csv"
    customers.write_text(customers.read_text().replace("acme,50000.00", "acme,500000.00"))
    res = runner.invoke(app, ["recheck", "ACME-1011", "--partner", "acme", "--by", "Robin", "--now",
                              "2026-11-27T09:00:00", "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    assert "cleared" in res.stdout
    assert state.order("acme", "ACME-1011").state == "received"
    assert state.order("acme", "ACME-1010").state == "held"  # not named: not rechecked again
    events = state.order_history("acme", "ACME-1011")
    assert [(e["event"], e["clock"], e["actor"]) for e in events][-2:] == [
        ("recheck_held", "wall", "Robin"), ("recheck_cleared", "wall", "Robin")]
    assert "credit limit" in events[-1]["note"]
    assert [r["kind"] for r in state.runs()] == ["recheck", "recheck"]
    assert bak(ws, "ACME-1011") is None  # answered by the next run, not by the recheck
    run_stages(ws, NIGHT2)
    # answered now; a year of toner (2000) is not in stock and ACME's policy rejects what cannot be placed
    assert bak(ws, "ACME-1011") == "RD" and bak(ws, "ACME-1010") is None
    assert state.order("acme", "ACME-1011").state == "rejected"
    assert [e["event"] for e in state.order_history("acme", "ACME-1011")][-2:] == ["recheck_cleared", "rejected"]


def test_recheck_of_an_order_that_is_not_held_changes_nothing(tmp_path):
    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    run_stages(ws, NIGHT1)
    res = CliRunner().invoke(app, ["recheck", "ACME-1000", "--partner", "acme", "-w", str(ws.root)])
    assert res.exit_code == 0 and "0 held order(s) rechecked" in res.stdout
    assert StateStore(ws.state_path).order("acme", "ACME-1000").state == "acknowledged"


def _said_twice(state, partner: str) -> list[tuple]:
    """The partner's ruled findings (decide, recheck) stored more than once, as finding_said compares them."""
    from schemas.lifecycle import RULED_STAGES, SAID_COLUMNS, finding_said

    said = [finding_said(*(f[c] for c in SAID_COLUMNS), consequence=f["consequence"])
            for f in state.findings(partner=partner) if f["stage"] in RULED_STAGES]
    return sorted({k for k in said if said.count(k) > 1})


def test_an_order_rechecked_and_approved_records_each_finding_once(tmp_path):
    """ACME-1010 and ACME-1011 are held on night 1; a person rechecks both twice (nothing fixed) and approves
    ACME-1010, which the next night answers: the rules judged the orders four times, and each finding (a warning on
    a line, an error that holds) is stored once, an error again only where its consequence is news (approved by
    Kim: the answer). They used to be stored again at each recheck and decision: identical rows in the store and in
    each run's report."""
    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    run_stages(ws, NIGHT1)
    runner = CliRunner()
    for when in ("2026-11-27T09:00:00", "2026-11-27T10:00:00"):
        res = runner.invoke(app, ["recheck", "--by", "Robin", "--now", when, "-w", str(ws.root)])
        assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["approve", "ACME-1010", "--partner", "acme", "--by", "Kim", "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    run_stages(ws, NIGHT2)
    state = StateStore(ws.state_path)
    try:
        assert state.order("acme", "ACME-1010").state.value in ("acknowledged", "rejected")
        assert _said_twice(state, "acme") == []
        ruled = [f for f in state.findings(partner="acme", po_number="ACME-1010") if f["stage"] == "decide"]
        assert any(f["consequence"].startswith("approved by Kim") for f in ruled), ruled
        # the first recheck said something new of ACME-1011 (its exposure moved), the second nothing
        assert len({f["run_id"] for f in state.findings(partner="acme") if f["stage"] == "recheck"}) == 1
    finally:
        state.close()
