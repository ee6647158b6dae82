"""Small things a new user and ops noticed (session 67, polish67), each with the night or command that shows it."""

from __future__ import annotations

import shutil
from datetime import datetime

import pyarrow.parquet as pq
import pytest

from connectors.state import StateStore
from flows.reconcile import reconcile_run
from tests.support import REPO, make_workspace, run_night

NIGHT1, NIGHT2 = datetime(2026, 11, 27, 2), datetime(2026, 11, 28, 2)


@pytest.fixture(scope="module")
def initech_rejects(tmp_path_factory):
    """The demo's INITECH over two real nights: night 2's drop holds INITECH's 997 rejecting our 855 for
    INITECH-3000 (AK5 R)."""
    ws = make_workspace(tmp_path_factory.mktemp("initech") / "ws", partners=("initech",))
    run_night(ws, NIGHT1)
    ack = REPO / "sample_files" / "drops-day2" / "initech" / "initech-997-night1.x12"
    shutil.copy2(ack, ws.drop_root / "initech" / "inbox" / ack.name)
    run = run_night(ws, NIGHT2)
    state = StateStore(ws.state_path)
    try:  # the finance flow after the night (flows.reconcile, as `orderbridge reconcile` runs it)
        reconcile_run(ws, ws.partners(), state, now=NIGHT2, run_id=run)
    finally:
        state.close()
    return ws, run


def test_the_dashboard_s_error_rate_leaves_out_the_partner_s_verdict_on_our_855(initech_rejects):
    """The dashboard's "Validation error rate" counted FA_DOCUMENT_REJECTED (INITECH's 997 rejecting our 855) as an
    error in what INITECH sent, while intake's line and `inspect` count none for that 997. It is left out now; the
    rejection is the reconciliation's DOCUMENT_REJECTED, and the page says so."""
    ws, run = initech_rejects
    folder = ws.root / "reports" / run / "finance"
    rows = pq.read_table(folder / "data" / "kpi_error_rate.parquet").to_pylist()
    assert rows, "INITECH's own input has errors (night 1) to count"
    assert "FA_DOCUMENT_REJECTED" not in {r["code"] for r in rows}, rows
    exceptions = pq.read_table(folder / "data" / "exceptions.parquet").to_pylist()
    assert ("DOCUMENT_REJECTED", "INITECH-3000") in {(e["type"], e["po_number"]) for e in exceptions}
    page = (folder / "dashboard.html").read_text()
    assert "is not counted here: the reconciliation lists it as DOCUMENT_REJECTED" in page
