"""w3a: small gaps left by rg91c and rg95b.

1. BACKORDER_AFTER_CANCEL's value is the date its DTM02 holds, CCYYMMDD (rules.business.common's convention for a
   business finding's date), whichever code path makes it: engine.deadlines at allocation, engine.lifecycle's
   backorders and balance on a later night. The lifecycle ones gave ISO "2026-12-08"; allocation's a 063 with transit
   time's last ship day, not the 063 stated.
2. The days past which a DC's missing stock export is untracked are a setting ([inventory] stock_untracked_days),
   and the carried stock's `stock:` line is printed by a full `orderbridge run`."""

from __future__ import annotations

from datetime import date

import pyarrow as pa

# --- item 1: one value for BACKORDER_AFTER_CANCEL --------------------------------------------------------------------

def _late(deliver_by: date) -> pa.Table:
    from engine.allocate import LATE

    return pa.Table.from_pylist([{"partner": "acme", "order_ref": "r", "po_number": "P1", "line_number": 1,
                                  "units": 5, "promised_date": date(2026, 12, 20), "deliver_by": deliver_by,
                                  "rejected": True}], schema=LATE)


def _orders(**dates) -> pa.Table:
    return pa.Table.from_pylist([{"partner": "acme", "po_number": "P1", "source_file": "po.x12", "isa13": "1",
                                  "gs06": "1", "st02": "0001", "cancel_after": None, "do_not_deliver_after": None,
                                  "ship_no_later": None, **dates}])


def test_a_late_backorder_s_value_is_its_dtm02_as_stated_at_allocation_and_on_a_later_night():
    """A 063 of 2026-12-08 with 3 days in transit (last ship day 2026-12-05): allocation's finding said "20261205"
    (the last ship day, no DTM02 of the PO), the later night's "2026-12-08" (ISO). Both now say "20261208", qualifier
    063."""
    from engine.deadlines import late_backorder_findings
    from engine.lifecycle import backorders
    from tests.test_rg91c import _past

    (at_allocation,) = late_backorder_findings(_late(date(2026, 12, 5)),
                                               _orders(do_not_deliver_after=date(2026, 12, 8)), transit={"acme": 3})
    f = at_allocation.finding
    assert (f.code, f.location.element, f.location.value, f.detail.qualifier) == (
        "BACKORDER_AFTER_CANCEL", "DTM02", "20261208", "063"), f
    assert "the last ship day 2026-12-05" in f.message  # the words still name the day it was held against

    record, line, passed = _past({"do_not_deliver_after": date(2026, 12, 8), "cancel_after": None},
                                 transit={"acme": 3})
    plan = backorders.plan_expired([record], lines={record.key: (line,)}, passed={record.key: passed},
                                   today=date(2026, 12, 6), at="2026-12-06T02:00:00", run_id="r")
    [later] = [x.finding for x in plan.findings]
    [warned] = backorders._late_warning(record, (line,), passed)
    assert {(g.location.value, g.detail.qualifier) for g in (f, later, warned.finding)} == {("20261208", "063")}


def test_a_late_backorder_s_value_without_transit_or_a_named_date_stays_the_day_measured():
    """No transit: the 001 itself; a deliver-by day none of the order's dates gives (a line's own date not among the
    lines given) is still said, CCYYMMDD, with no qualifier."""
    from engine.deadlines import late_backorder_findings

    (found,) = late_backorder_findings(_late(date(2026, 12, 7)), _orders(cancel_after=date(2026, 12, 7)))
    assert (found.finding.location.value, found.finding.detail.qualifier) == ("20261207", "001")
    (own,) = late_backorder_findings(_late(date(2026, 12, 4)), _orders(cancel_after=date(2026, 12, 7)))
    assert (own.finding.location.value, own.finding.detail.qualifier) == ("20261204", "")
