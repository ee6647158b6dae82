"""Lines in a fraction of their unit (session 63, w3b; what misc63 left): the store keeps allocated, backordered and
rejected in whole units, and the line's rejected_fraction keeps the rest of what a line rejected (a REJECTED_FRACTION
mark among its codes until dupstate made it a column). A balance cancelled
(a backorder past its last date, a balance that will not follow) rejects the fraction its whole units did not hold
too, so a release line draws nothing of what it no longer ships and the history says the exact quantity; and the
fraction is written with the whole units by one helper (schemas.units.rejected_stored) wherever rejected changes, so it
never goes stale (a backorder restored, a line deleted)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pyarrow as pa

from engine.blankets import acknowledged
from engine.lifecycle import backorders, balance
from engine.lifecycle.changes import expired_units, restore_expired
from schemas.lifecycle import EXPIRED, LineRecord, LineState, OrderRecord, OrderState
from schemas.units import REJECTED_FRACTION, rejected_exactly, rejected_stored, unheld_fraction

FRACTION = Decimal("0.344")

KEY = ("lumber84", "0412118840")
PASSED = backorders.Passed("DTM 001 (cancel after) 2026-12-10", (("001", date(2026, 12, 10)),))
AT = {"at": "2026-12-11T02:00:00", "run_id": "r"}


def _record(state=OrderState.ACKNOWLEDGED) -> OrderRecord:
    return OrderRecord(*KEY, state, source_file="po.x12", isa13="1", gs06="1", st02="0001")


def _drawn(line: LineRecord) -> Decimal:
    return acknowledged({KEY: (line,)})[KEY][line.line_number][0]


def _expired(line: LineRecord):
    plan = backorders.plan_expired([_record()], lines={KEY: (line,)}, passed={KEY: PASSED},
                                   today=date(2026, 12, 11), **AT)
    return plan, plan.lines[0].lines[0]


# --- the one helper -------------------------------------------------------------------------------------------------
def test_rejected_stored_writes_the_whole_units_and_the_fraction_together():
    assert rejected_stored(Decimal("1.344")) == (1, FRACTION)
    # none when what it rejected is whole units
    assert rejected_stored(Decimal("0.5")) == (0, Decimal("0.5"))
    assert rejected_stored(Decimal(3)) == (3, 0)
    for exact in (Decimal("2.68"), Decimal(0), Decimal("0.001"), Decimal(12)):
        whole, fraction = rejected_stored(exact)
        assert rejected_exactly(whole, fraction) == exact
    # what no whole unit holds of a line in a fraction of its unit; nothing of a line in whole units
    assert unheld_fraction(Decimal("7.68"), 7, 0, 0) == Decimal("0.68")
    assert unheld_fraction(Decimal("1.344"), 1, 0, FRACTION) == 0
    assert unheld_fraction(Decimal(10), 10, 0, 0) == unheld_fraction(Decimal(10), 12, 0, None) == 0


# --- 1. a balance cancelled on a fraction line rejects it exactly ----------------------------------------------------
def test_a_fraction_line_all_backordered_then_past_its_date_draws_nothing():
    """1.344 TM all backordered (stored 1: whole units) whose cancel-after passed: it used to be stored rejected 1, so
    the release drew 0.344 TM of a line that ships nothing. It rejects 1.344 (1 and the fraction 0.344), expired
    1.344, and the warning says 1.344 TM."""
    line = LineRecord(*KEY, 1, LineState.BACKORDERED, sku="RG48-04", ordered=Decimal("1.344"), unit="TM",
                      backordered=1)
    assert _drawn(line) == Decimal("1.344")
    plan, after = _expired(line)
    assert after.state == LineState.REJECTED and after.backordered == 0
    assert (after.rejected, rejected_exactly(after.rejected, after.rejected_fraction)) == (1, Decimal("1.344"))
    assert _drawn(after) == 0
    assert after.codes == () and after.expired == expired_units(after) == Decimal("1.344")
    (said,) = [f.finding.message for f in plan.findings]
    assert "line 1 (1.344)" in said and "1.344 " in said, said


def test_a_fraction_line_placed_in_part_keeps_its_placed_fraction_when_its_backorder_expires():
    """2.5 TM: 1 TM placed whole (allocated 1), 1 backordered, the 0.5 rest placed as the allocation places a fraction
    (IA) and held by no whole unit: its backorder past its date rejects the 1 backordered only; it still draws 1.5."""
    line = LineRecord(*KEY, 1, LineState.ALLOCATED, sku="RG48-04", ordered=Decimal("2.5"), unit="TM",
                      allocated=1, backordered=1)
    _plan, after = _expired(line)
    assert (after.rejected, after.codes, after.expired) == (1, (), 1)
    assert _drawn(after) == Decimal("1.5")


def test_a_fraction_line_whose_balance_is_cancelled_unshipped_draws_nothing():
    """7.68 BP placed (IA 7.68, stored allocated 7), the order's last date passed with nothing shipped (late_backorder
    "reject"): the balance cancelled used to reject 7, so it still drew 0.68 BP. It rejects 7.68 exactly, and the
    balance_cancelled and the history's note say 7.68 BP of 7.68."""
    line = LineRecord(*KEY, 2, LineState.ALLOCATED, sku="RG48-05", ordered=Decimal("7.68"), unit="BP", allocated=7)
    plan = balance._cancel(_record(OrderState.ACKNOWLEDGED), [line], (), ["EAST"], "", passed=PASSED, **AT)
    after = plan.lines[0].lines[0]
    assert after.state == LineState.REJECTED and (after.allocated, after.backordered) == (0, 0)
    assert rejected_exactly(after.rejected, after.rejected_fraction) == Decimal("7.68") and after.rejected == 7
    assert _drawn(after) == 0
    assert (after.codes, after.balance_cancelled) == ((), Decimal("7.68"))
    note = plan.transitions[0].events[0].note
    assert "line 2 (7.68 BP of 7.68, 0 shipped)" in note, note


def test_a_fraction_line_shipped_in_part_draws_what_shipped():
    """7.68 BP placed, 5 shipped, its balance cancelled (a short shipment of a line taking no back order): it rejects
    2.68, drawing the 5 that shipped; a line in whole units cancels as before (10 of which 7 shipped: 3)."""
    line = LineRecord(*KEY, 2, LineState.PARTIALLY_SHIPPED, sku="RG48-05", ordered=Decimal("7.68"), unit="BP",
                      allocated=7, shipped=Decimal(5))
    whole = LineRecord(*KEY, 3, LineState.PARTIALLY_SHIPPED, sku="RG48-06", ordered=Decimal(10), unit="SH",
                       allocated=10, shipped=Decimal(7))
    plan = balance._cancel(_record(OrderState.PARTIALLY_SHIPPED), [line, whole], (), ["EAST"], "", **AT)
    after, after_whole = plan.lines[0].lines
    assert rejected_exactly(after.rejected, after.rejected_fraction) == Decimal("2.68") and _drawn(after) == 5
    assert (after.codes, after.balance_cancelled, after_whole.balance_cancelled) == ((), Decimal("2.68"), 3)
    assert (after_whole.rejected, _drawn(after_whole)) == (3, 7)
    assert after_whole.rejected_fraction == 0
    assert not [c for c in (*after.codes, *after_whole.codes) if c.startswith(REJECTED_FRACTION)]


# --- 2. the mark follows the rejected units wherever they change -----------------------------------------------------
def test_a_restored_backorder_takes_its_fraction_back_with_its_units():
    """The line of the first test, expired (rejected 1.344: 1 and the fraction 0.344, expired 1.344), then its date
    moved by an 860: its backorder is restored whole (backordered 1, as it was) and what it rejected goes back to none,
    the mark with it: it draws 1.344 again. The old code kept the mark on a line that no longer rejects anything."""
    line = LineRecord(*KEY, 1, LineState.BACKORDERED, sku="RG48-04", ordered=Decimal("1.344"), unit="TM",
                      backordered=1)
    _plan, expired = _expired(line)
    moved = pa.table({"line_number": [1], "cancel_after": [date(2026, 12, 20)]})
    (back,), restored = restore_expired([expired], {}, moved, today=date(2026, 12, 11), run_id="r2")
    assert restored == [(1, Decimal("1.344"))]
    assert (back.backordered, back.rejected, back.state) == (1, 0, LineState.BACKORDERED)
    assert not [c for c in back.codes if c.startswith((REJECTED_FRACTION, EXPIRED))], back.codes
    assert back.rejected_fraction == 0 and back.expired == 0
    assert _drawn(back) == Decimal("1.344")


def test_a_restored_backorder_keeps_the_fraction_its_answer_refused():
    """1.344 TM answered IB 1 and IR 0.344 (stored backordered 1, rejected 0 and the mark 0.344), its backorder
    expired then restored: it rejects the 0.344 its 855 refused again, no more (draws 1)."""
    line = LineRecord(*KEY, 1, LineState.BACKORDERED, sku="RG48-04", ordered=Decimal("1.344"), unit="TM",
                      backordered=1, rejected_fraction=FRACTION)
    _plan, expired = _expired(line)
    assert rejected_exactly(expired.rejected, expired.rejected_fraction) == Decimal("1.344") and _drawn(expired) == 0
    moved = pa.table({"line_number": [1], "cancel_after": [date(2026, 12, 20)]})
    (back,), _restored = restore_expired([expired], {}, moved, today=date(2026, 12, 11), run_id="r2")
    assert (back.backordered, back.rejected, back.rejected_fraction, back.codes) == (1, 0, FRACTION, ())
    assert _drawn(back) == 1


def test_a_line_deleted_keeps_no_fraction_of_a_rejection():
    """A line deleted (rejected set to 0) drops its rejected_fraction with it: it used to keep it, so what the
    store said it rejected was 0.344 of a line it no longer holds."""
    from engine.lifecycle.intake import _deleted

    line = LineRecord(*KEY, 1, LineState.BACKORDERED, sku="RG48-04", ordered=Decimal("1.344"), unit="TM",
                      backordered=1, rejected_fraction=FRACTION)
    gone = _deleted(line, "deleted", 2, "r")
    assert gone.state == LineState.DELETED and rejected_exactly(gone.rejected, gone.rejected_fraction) == 0
