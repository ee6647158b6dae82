"""Documents sent again, timed by their first sending everywhere a KPI measures what we did (session 64, opsgroup;
after w3c's ASN SLA): the cycle time shipped -> invoiced times an 810 sent again under new numbers (`orderbridge
resend --new-control-numbers`) by when it first went, not by the resend ops sent weeks later."""

from __future__ import annotations

import shutil
from datetime import datetime

import pyarrow.parquet as pq

from tests.test_resend import ACME_810, outbox, resend, ws  # noqa: F401 (ws: the shipping demo's fixture)

NIGHT = datetime(2026, 12, 21, 2)


def _cycle(root, run_id: str = "r1") -> dict:
    """The reconciliation's shipped -> invoiced cycle time per partner, as kpi_cycle_times.parquet holds it."""
    from connectors.state import StateStore
    from flows.reconcile import reconcile_run
    from flows.workspace import Workspace

    space = Workspace(root)
    state = StateStore(space.state_path)
    try:
        reconcile_run(space, space.partners(), state, now=NIGHT, run_id=run_id)
    finally:
        state.close()
    table = pq.read_table(space.reports_dir / run_id / "finance" / "data" / "kpi_cycle_times.parquet")
    return {r["partner"]: (r["orders"], r["median_hours"], r["mean_hours"]) for r in table.to_pylist()
            if r["stage"] == "shipped -> invoiced"}


def test_an_810_resent_under_new_numbers_is_timed_by_its_first_sending_in_the_cycle_time(ws, tmp_path):  # noqa: F811
    """ACME's 810 INV0000002 (ISA13 8) sent again under new numbers on 2026-12-20: the shipped -> invoiced cycle is
    what it was before the resend (the twin workspace, never resent). Before: the resend's time (weeks later) was
    the PO's first 810."""
    twin = tmp_path / "twin"
    shutil.copytree(ws.root, twin, symlinks=True)
    (outbox(ws) / ACME_810).unlink()
    done = resend(ws, "--isa", "8", "--new-control-numbers", "--now", "2026-12-20T09:00:00")
    assert done.exit_code == 0, done.output
    before, after = _cycle(twin), _cycle(ws.root)
    assert before["acme"][0] >= 1 and before["acme"][1] is not None
    assert before["acme"][1] < 24 * 7  # (the demo bills within days of shipping; the resend was weeks later)
    assert after == before
