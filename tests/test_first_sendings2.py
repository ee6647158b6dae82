"""Documents sent again, timed by their first sending everywhere a KPI measures what we did (session 64, opsgroup;
after w3c's ASN SLA): the cycle time shipped -> invoiced times an 810 sent again under new numbers (`orderbridge
resend --new-control-numbers`) by when it first went, not by the resend ops sent weeks later; an 856 another system
of ours sent again, recorded again (`orderbridge record`), is one document timed by its first sending, as our own
resend is, where its lines counted twice (an over-shipment) before."""

from __future__ import annotations

import shutil
from datetime import datetime
from decimal import Decimal

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


# --- an 856 another system of ours sent again, recorded (`orderbridge record`) ----------------------------------------
def test_a_recorded_856_sent_again_under_new_numbers_counts_once_timed_by_its_first_sending(tmp_path):
    """The warehouse's 856 for S-1 (ISA13 700001, 2026-12-08 09:20, 20 minutes after departure) sent again six days
    later under ISA13 700009 and recorded too: as a resend the night writes reads (docs/state-store.md, resends), the
    shipment counts once under its latest envelope (no over-shipment, ACME-1000's lines shipped once) and the ASN SLA
    times it by its first sending. Before: its lines counted twice (OVER_SHIPMENT) and the copy's time was an ASN
    of its own."""
    import pyarrow.parquet as pq

    from connectors.state import StateStore
    from flows.reconcile import reconcile_run, record_documents
    from flows.workspace import Workspace
    from tests.support_finance_flow import _asn, _ours, small_workspace

    root = small_workspace(tmp_path / "ws").root
    twin = tmp_path / "twin"
    shutil.copytree(root, twin, symlinks=True)
    again = _ours("acme", "s1-again.x12", tmp_path, "SH", "856", _asn("S-1", datetime(2026, 12, 8, 9), [
        ("ACME-1000", "1", 10), ("ACME-1000", "2", 24), ("ACME-1000", "3", 5)]), isa13=700009,
        when=datetime(2026, 12, 14, 11))

    def night(where, *, record: bool) -> dict:
        space = Workspace(where)
        state = StateStore(space.state_path)
        try:
            if record:
                read, added, found = record_documents(state, again, partner="acme", by="test", note="resent",
                                                      at=datetime(2026, 12, 14, 12))
                assert read == added == 3 and not found
            reconcile_run(space, space.partners(), state, now=datetime(2026, 12, 15, 3), run_id="n4")
        finally:
            state.close()
        data = space.reports_dir / "n4" / "finance" / "data"
        return {"sla": {(r["partner"], r["sla"]): (r["met"], r["measured"])
                        for r in pq.read_table(data / "kpi_sla.parquet").to_pylist()},
                "exceptions": sorted((r["type"], r["po_number"], r["line_number"]) for r in
                                     pq.read_table(data / "exceptions.parquet").to_pylist()),
                "shipped": sorted((r["partner"], r["po_number"], r["line_number"], str(r["shipped_quantity"]))
                                  for r in pq.read_table(data / "lines.parquet").to_pylist())}

    before, after = night(twin, record=False), night(root, record=True)
    assert before["sla"][("acme", "ASN before arrival")][1] >= 1
    assert after["sla"] == before["sla"]
    assert not [x for x in after["exceptions"] if x[0] == "OVER_SHIPMENT"]
    assert after["exceptions"] == before["exceptions"] and after["shipped"] == before["shipped"]


def test_only_the_same_856_sent_again_is_a_resend():
    """engine.finance_inputs.recorded_resends: S-1's 856 recorded from two files under other numbers with the same
    lines is one document (the later copy's lines, timed by the first's sending); S-2 corrected (other lines) under
    the same BSN02 stays two documents, as does an 810 recorded twice (a duplicate invoice to catch)."""
    import pyarrow as pa

    from engine.finance_inputs import recorded_resends
    from schemas.reconciliation import RECORDED_LINES

    def line(ref: str, isa13: str, sent: datetime, qty: str, *, doc: str = "856", line_id: str = "1") -> dict:
        return {"partner": "acme", "doc_type": doc, "document_ref": ref, "po_number": "PO-1", "line_id": line_id,
                "quantity": Decimal(qty), "unit": "EA", "sent_at": sent, "file": f"{ref}-{isa13}.x12", "sha256": isa13,
                "isa13": isa13, "gs06": isa13, "st02": "0001", "position": 5}

    first, later = datetime(2026, 12, 8, 9, 20), datetime(2026, 12, 14, 11)
    rows = [line("S-1", "1", later, "10"), line("S-1", "1", later, "4", line_id="2"),  # recorded first, sent later
            line("S-1", "2", first, "10"), line("S-1", "2", first, "4", line_id="2"),
            line("S-2", "3", first, "6"), line("S-2", "4", later, "5"),
            line("INV-1", "5", first, "10", doc="810"), line("INV-1", "6", later, "10", doc="810")]
    kept, resent = recorded_resends(pa.Table.from_pylist(rows, schema=RECORDED_LINES))
    assert sorted((r["document_ref"], r["isa13"], r["line_id"]) for r in kept.to_pylist()) == [
        ("INV-1", "5", "1"), ("INV-1", "6", "1"), ("S-1", "1", "1"), ("S-1", "1", "2"), ("S-2", "3", "1"),
        ("S-2", "4", "1")]
    assert resent.to_pylist() == [{"partner": "acme", "isa13": "1", "gs06": "1", "file": "S-1-1.x12",
                                   "first_sent_at": first}]
