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


# --- item 2: the untracked-DC limit a setting; the carried stock line through `orderbridge run` ---------------------

def _two_dcs_unrun(tmp_path, west_day: str):
    """tests.test_rg95_short_stock._two_dcs's workspace (EAST loaded for the night's snapshot day, WEST for
    ``west_day`` alone, Ace's PO routed to WEST), not run."""
    from tests.retailer_support import recounted
    from tests.test_rg95_short_stock import ACE_SHIPS_FROM_WEST, _copy, _workspace
    from tests.test_rg95b import _west_of

    copy = _copy(tmp_path)
    (copy / "stock.csv").write_text(_west_of(west_day), encoding="utf-8")
    po = copy / "drops" / "ace" / "ACE_850_ACE9500201.x12"
    po.write_bytes(recounted(po.read_bytes().replace(*ACE_SHIPS_FROM_WEST)))
    return _workspace(tmp_path / "ws", copy)


def test_the_days_past_which_a_dc_is_untracked_are_workspace_toml_s(tmp_path):
    """WEST last loaded 4 days before the snapshot is late (its routed orders held) by default; with
    stock_untracked_days = 3 it is a DC whose stock we do not track (nothing held, served from EAST), and one last
    loaded 33 days before, untracked by default, is late with stock_untracked_days = 40. It was a constant, 31."""
    from flows.decide import load_inventory
    from flows.workspace import STOCK_UNTRACKED_DAYS
    from tests.test_rg95_short_stock import NIGHT

    snap = NIGHT.date().replace(day=24)
    ws = _two_dcs_unrun(tmp_path / "recent", "2026-11-20")
    assert ws.stock_untracked_days == STOCK_UNTRACKED_DAYS == 31
    assert load_inventory(ws, NIGHT.date()).late == (("WEST", snap.replace(day=20)),)
    ws.config_path.write_text("[inventory]\nstock_untracked_days = 3\n", encoding="utf-8")
    inv = load_inventory(ws, NIGHT.date())
    assert (inv.late, inv.carried) == ((), ())

    long_ago = snap.fromordinal(snap.toordinal() - 33)
    ws = _two_dcs_unrun(tmp_path / "old", long_ago.isoformat())
    assert load_inventory(ws, NIGHT.date()).late == ()
    ws.config_path.write_text("[inventory]\nstock_untracked_days = 40\n", encoding="utf-8")
    assert load_inventory(ws, NIGHT.date()).late == (("WEST", long_ago),)


def test_the_untracked_limit_must_be_whole_days(tmp_path):
    import pytest

    from flows.workspace import Workspace
    from schemas.errors import ConfigError

    ws = Workspace(tmp_path)
    for bad in ('"a month"', "-1", "true", "31.5"):
        ws.config_path.write_text(f"[inventory]\nstock_untracked_days = {bad}\n", encoding="utf-8")
        with pytest.raises(ConfigError, match="stock_untracked_days"):
            _ = ws.stock_untracked_days


def test_orderbridge_run_prints_the_carried_stock_line_after_the_decide_line(tmp_path):
    """WEST's export of the 24th not loaded, the 23rd's was: the CLI's night says which day's stock it allocated
    (rg95b checked the line through its function alone)."""
    from typer.testing import CliRunner

    from flows.cli import app
    from tests.test_rg95_short_stock import NIGHT

    ws = _two_dcs_unrun(tmp_path, "2026-11-23")
    res = CliRunner().invoke(app, ["run", "-w", str(ws.root), "--no-prefect", "--no-gx", "--now", NIGHT.isoformat()])
    lines = res.stderr.splitlines()
    at = next(k for k, ln in enumerate(lines) if " decide: " in ln)
    assert "FAILED" not in lines[at], lines[at]
    stock = [ln for ln in lines[at + 1:] if " stock: " in ln]
    assert stock == [ln for ln in lines[at + 1:at + 1 + len(stock)]], lines  # right after the decide line
    assert [ln.split(" stock: ", 1)[1] for ln in stock] == [
        "no stock of WEST in the snapshot of 2026-11-24 (its export was not loaded for the day): allocated from its "
        "last stock loaded, WEST's of 2026-11-23, less what shipped since; load the day's export (orderbridge "
        "inventory load)"], stock
