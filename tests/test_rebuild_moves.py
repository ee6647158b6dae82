"""`state rebuild` gives a release moved to another blanket after part of it shipped what the night kept of the move
(session 69, rebuild3; blankets11 left it): orders.moved_from / moved_shipped (store version MOVED_SHIPPED) and its
contract as the 860 set it, read from the files (the 860 that moved it, the 856s sent before). Before, the rebuilt
store had none of them: the release came back naming the contract it left and counted whole on the blanket it had
moved to. Each through real nights (tests.support.run_stages), the store deleted and rebuilt, compared with the
store never lost."""

from __future__ import annotations

from decimal import Decimal

from flows.workspace import Workspace
from tests.retailer_support import findings_and_states
from tests.support import rebuilt_store, run_stages, state_rows
from tests.test_blankets3 import DAY3
from tests.test_blankets8 import MOVED, OTHER, _drawdown
from tests.test_blankets10 import _shipped_then_moved
from tests.test_blankets11 import _later_release
from tests.test_rg89c import BLANKET

KEPT = ("SELECT partner, po_number, state, revision, contract_number, agreement_number, moved_from, moved_shipped"
        " FROM orders WHERE order_type = 'RL' ORDER BY partner, po_number")


def _lost(ws, tmp_path) -> tuple[Workspace, str]:
    """A copy of ``ws`` whose store is deleted and rebuilt (the rebuild's output)."""
    said = rebuilt_store(tmp_path / "lost", copy_of=ws.root)
    return Workspace(tmp_path / "lost"), said


def test_a_rebuilt_store_keeps_what_shipped_before_the_move_on_the_blanket_it_left(tmp_path):
    """4500312003 (300 screws, 100 shipped against FAS8900401 the first night) moved by the next night's 860 to
    FAS8900402: rebuilt, the release names FAS8900402 and keeps (FAS8900401, line 1: 100) as the night kept it, and
    `status` counts 100 on FAS8900401 and 200 on FAS8900402 (it counted the 300 on FAS8900402, none on FAS8900401)."""
    ws, _found, states = _shipped_then_moved(tmp_path / "n", "split", 1000)
    assert states[MOVED] == "partially_shipped"
    lost, said = _lost(ws, tmp_path)
    kept = state_rows(ws, KEPT)
    assert ("fastenal", MOVED[1], "partially_shipped", 2, OTHER, "", BLANKET, "1:100") in kept
    assert state_rows(lost, KEPT) == kept
    assert _drawdown(lost, OTHER) == _drawdown(ws, OTHER) == {MOVED[1]: "200"}
    assert _drawdown(lost, BLANKET) == _drawdown(ws, BLANKET) == {"4500312001": "100", MOVED[1]: "100"}
    assert "1 release(s) moved to another blanket by an 860 after part of them shipped" in said
    assert f"fastenal/{MOVED[1]}" in said


def test_the_night_after_a_rebuild_checks_later_releases_as_the_store_never_lost(tmp_path):
    """After the rebuild, the night that brings 4500312007 (200 of FAS8900402, 400) and 4500312008 (4,850 of
    FAS8900401, 5,000) decides them as the kept store does: the first acknowledged (the moved release's 200 left
    counted, not its 300), the second held RELEASE_PAST_BLANKET (the 100 shipped against FAS8900401 counted); the
    same states, the same findings, the same outbox."""
    ws, _found, _states = _shipped_then_moved(tmp_path / "n", "later", 400)
    lost, _said = _lost(ws, tmp_path)
    results = []
    for w in (ws, lost):
        _later_release(w, "4500312007", 200, OTHER, 89507)
        _later_release(w, "4500312008", 4850, BLANKET, 89508)
        run_stages(w, DAY3)
        found, states = findings_and_states(w, lambda f: (f["code"], f["po_number"], f["message"]))
        results.append((states, sorted(f for f in found if f[1] in ("4500312007", "4500312008"))))
    (kept_states, kept_found), (lost_states, lost_found) = results
    assert kept_states[("fastenal", "4500312007")] == "acknowledged"
    assert kept_states[("fastenal", "4500312008")] == "held"
    assert {k: v for k, v in lost_states.items() if k[1].startswith("45003120")} == {
        k: v for k, v in kept_states.items() if k[1].startswith("45003120")}
    assert lost_found == kept_found
    outbox = {p.name: p.read_bytes() for p in (ws.drop_root / "fastenal" / "outbox").iterdir()}
    assert {p.name: p.read_bytes() for p in (lost.drop_root / "fastenal" / "outbox").iterdir()} == outbox


def test_moved_before_anything_shipped_keeps_nothing():
    """The pure planner: a release moved by an 860 before its first 856 (the shipment's 856 sent the night after
    the 860 came, or the same night: a night applies its 860s before it ships) keeps nothing of the move, but names
    the contract the 860 set; one moved after 100 of 300 shipped keeps (the number it left, 100); one moved after
    all of it shipped keeps nothing (the night's decide picks only a release partially shipped)."""
    from engine.lifecycle.restore_moves import Revision, Sent, plan_moves
    from schemas.lifecycle import LineRecord, LineState, OrderRecord, OrderState

    def record(po):
        return OrderRecord("fastenal", po, OrderState.PARTIALLY_SHIPPED, order_type="RL", contract_number=BLANKET,
                           change_file="FAS860.x12", revision=2)

    line = LineRecord("fastenal", "x", 1, LineState.PARTIALLY_SHIPPED, allocated=300, shipped=Decimal(100))
    revs = [Revision("2026-11-25T02:00:00", {"contract_number": BLANKET}),
            Revision("2026-11-26T02:00:00", {"contract_number": OTHER})]
    records = {("fastenal", po): record(po) for po in ("A", "B", "C", "D")}
    sent = {("fastenal", "A"): [Sent("2026-11-26T02:00:00", 1, Decimal(100))],  # same night as the 860: after it
            ("fastenal", "B"): [Sent("2026-11-25T02:00:00", 1, Decimal(100))],
            ("fastenal", "C"): [Sent("2026-11-25T02:00:00", 1, Decimal(300))],
            ("fastenal", "D"): [Sent("2026-11-27T02:00:00", 1, Decimal(100))]}
    lines = {("fastenal", "A"): [line], ("fastenal", "B"): [line], ("fastenal", "D"): [line],
             ("fastenal", "C"): [LineRecord("fastenal", "C", 1, LineState.SHIPPED, allocated=300,
                                            shipped=Decimal(300))]}
    done = plan_moves(records, {k: revs for k in records}, sent, lines, set())
    got = {t.record.po_number: (t.record.contract_number, t.record.moved_from, t.record.moved_shipped)
           for t in done.plan.transitions}
    assert got == {"A": (OTHER, "", ()), "B": (OTHER, BLANKET, ((1, Decimal(100)),)), "C": (OTHER, "", ()),
                   "D": (OTHER, "", ())}
    assert done.kept == [("fastenal", "B")]
    assert not [t for t in done.plan.transitions if t.events]  # (no history invented)
    # a release whose BEG03 is a blanket we hold still calls that one off: nothing kept
    assert plan_moves(records, {k: revs for k in records}, sent, lines, {("fastenal", "B")}).kept == []
