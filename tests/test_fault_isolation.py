"""One order can never fail the others: a failure while planning one order becomes that order's
finding and hold, and every other order of every partner is decided and answered (issue 8's
"poison file" stopped every partner's 855s, every night)."""

from __future__ import annotations

from datetime import datetime

from connectors.state import StateStore
from parsers.x12_reader import read_interchanges
from tests.support import SAMPLES, make_workspace, run_stages

NIGHT1, NIGHT2 = datetime(2026, 11, 27, 2), datetime(2026, 11, 28, 2)


def answered(ws) -> dict[str, str]:
    """PO -> BAK02 of every 855 in the outboxes."""
    out = {}
    for path in ws.drop_root.glob("*/outbox/*-855-*.x12"):
        bak = next(r for r in read_interchanges(path.read_bytes()).segments.elements.to_pylist() if r[0] == "BAK")
        out[bak[3]] = bak[2]
    return out


def test_a_failure_planning_one_order_holds_it_and_every_other_order_is_answered(tmp_path, monkeypatch):
    import engine.lifecycle.decisions as decisions

    real = decisions.render_855s  # 855s are rendered for many orders at once: the batch fails with this one

    def poisoned(heads, *args, **kw):
        if any(h["po_number"] == "GLOBEX-2000" for h in heads):
            raise RuntimeError("injected: this order's 855 cannot be built")
        return real(heads, *args, **kw)

    clean = make_workspace(tmp_path / "clean")
    run_stages(clean, NIGHT1)
    expected = answered(clean)
    monkeypatch.setattr(decisions, "render_855s", poisoned)
    ws = make_workspace(tmp_path / "ws")
    _, run = run_stages(ws, NIGHT1)
    got = answered(ws)
    assert "GLOBEX-2000" in expected and "GLOBEX-2000" not in got
    assert got == {po: t for po, t in expected.items() if po != "GLOBEX-2000"}  # every partner's other 855s
    state = StateStore(ws.state_path)
    order = state.order("globex", "GLOBEX-2000")
    assert order.state == "held" and order.hold_codes == ("ORDER_DECISION_FAILED",)
    assert "injected" in order.hold_reasons[0]
    assert state.order_reservations("globex", "GLOBEX-2000") == []  # nothing half-written for it
    [f] = state.findings(po_number="GLOBEX-2000", partner="globex")[-1:]
    assert (f["code"], f["consequence"]) == ("ORDER_DECISION_FAILED", "order held for ops")
    assert "ORDER_DECISION_FAILED" in {f.code for f in run.findings}
    # once the defect is fixed, a person approves it and the next run answers it
    monkeypatch.undo()
    from engine import lifecycle

    state.apply(lifecycle.plan_person_decision(order, "approved", by="ops", note="defect fixed",
                                               at="2026-11-27T09:00:00"))
    state.close()
    run_stages(ws, NIGHT2)
    assert answered(ws)["GLOBEX-2000"] == expected["GLOBEX-2000"]


def test_a_file_holding_one_interchange_twice_does_not_stop_anything(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    inbox = ws.drop_root / "acme" / "inbox"
    data = (SAMPLES / "acme" / "acme-po-01.x12").read_bytes()
    (inbox / "acme-po-01.x12").write_bytes(data + data)  # a translator resending inside one file
    run_stages(ws, NIGHT1)
    got = answered(ws)
    assert {"ACME-1000", "ACME-1001", "GLOBEX-2000", "INITECH-3000"} <= set(got)
    state = StateStore(ws.state_path)
    lines = state.order_lines("acme", "ACME-1000")
    assert len(lines) == len({ln.line_number for ln in lines}) > 0
    assert len([d for d in state.documents("acme") if d.doc_type == "855" and d.po_number == "ACME-1000"]) == 1
