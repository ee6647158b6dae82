"""The shipments deployment between nights (flows.night.run_shipments) records a run only when there is
work: an order billed once it ships complete (a partner with invoice per = "order") and shipped in part
is no work each interval until the rest ships (it recorded an empty run every interval); once the rest
ships, its 810 is built."""

from __future__ import annotations

import shutil
from datetime import datetime

from connectors.state import StateStore
from flows import night
from flows import shipments as shipping
from tests.support import REPO, run_stages, shipping_workspace

NIGHT1, DAY1 = datetime(2026, 11, 27, 2), datetime(2026, 11, 27, 14, 30)


def _shipments(ws, now: datetime) -> dict:
    return night.run_shipments(str(ws.root), stages=night.InProcess(delays=[]), now=now.isoformat())


def _order_billed(ws) -> list[tuple[str, str]]:
    state = StateStore(ws.state_path)
    try:
        return sorted((s.partner, s.shipment_id) for s in state.shipments(billing="order"))
    finally:
        state.close()


def test_an_order_shipped_in_part_and_billed_once_complete_is_no_work_each_interval(tmp_path):
    ws = shipping_workspace(tmp_path / "ws")
    run_stages(ws, NIGHT1)
    for src in sorted((REPO / "sample_files" / "warehouse-drops").iterdir()):
        shutil.copytree(src, ws.warehouse_drop_root / src.name / "inbox", dirs_exist_ok=True)
    first = _shipments(ws, DAY1)
    assert first["run_id"] and first["invoicing"]["invoices"] >= 1
    runs = [_shipments(ws, datetime(2026, 11, 27, 15, m)) for m in (0, 10, 20)]
    recorded = [r for r in runs if r["run_id"]]
    assert len(recorded) <= 1  # at most the one that closes what the first run invoiced and sent
    assert runs[-1] == {"run_id": "", "started": "2026-11-27T15:20:00",
                        "skipped": "no confirmation or invoice waiting"}
    assert _order_billed(ws)  # the shipments of an order billed once complete: still waiting, rightly
    state = StateStore(ws.state_path)
    try:
        assert not shipping.work_waiting(ws, state, ws.partners())
    finally:
        state.close()
