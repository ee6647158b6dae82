"""Small gaps earlier rounds left (session 63, w3c): intake's paths for very large files (read in pieces, or over
the partner's max_file_bytes and never read) move files through flows.taking.Mover as the other paths do, so a
local inbox that refuses the move of one (permission denied) leaves it taken with its move owed and the rest of the
inbox goes on; the ASN timeliness KPI times an 856 sent again under new numbers by its first sending.

The partner's runs go through `orderbridge run` in this process as in tests/test_rg93_bad_nights.py (its helpers).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

import connectors.local as local
from flows import intake as intake_flow
from tests.crash_harness import new_workspace
from tests.support import write_settled
from tests.test_rg93_bad_nights import acme as acme_of
from tests.test_rg93_bad_nights import inbox as acme_inbox
from tests.test_rg93_bad_nights import night as night_run
from tests.test_rg93_bad_nights import po850
from tests.test_rg93b import acme_folder, duplicates, refuse_moves_from


# --- 1. the large-file paths use the Mover ---------------------------------------------------------------------
@pytest.fixture
def big_ws(tmp_path, monkeypatch):
    """ACME's workspace where every file is read in pieces (STREAM_BYTES 0) and a file over 1,000 bytes is over
    its max_file_bytes (never read)."""
    ws = new_workspace(tmp_path / "ws", shipping=False)
    acme_inbox(ws).mkdir(parents=True)
    profile = ws / "partners" / "acme.toml"
    profile.write_text(profile.read_text(encoding="utf-8") + "\n[limits]\nmax_file_bytes = 1000\n", encoding="utf-8")
    monkeypatch.setattr(intake_flow, "STREAM_BYTES", 0)
    return ws


def outbox_kinds(ws: Path) -> list[str]:
    return sorted(p.name.split("-")[1] for p in (ws / "drop" / "acme" / "outbox").iterdir())


def files_rows(ws: Path) -> list[tuple]:
    db = sqlite3.connect(ws / "state" / "orderbridge.sqlite")
    try:
        return db.execute("SELECT name, status, disposed_at IS NOT NULL FROM files ORDER BY name").fetchall()
    finally:
        db.close()


def too_large(ws: Path) -> list[tuple]:
    db = sqlite3.connect(ws / "state" / "orderbridge.sqlite")
    try:
        return db.execute("SELECT run_id, file FROM findings WHERE code = 'FILE_TOO_LARGE' ORDER BY id").fetchall()
    finally:
        db.close()


def test_large_files_an_inbox_refuses_to_move_are_each_taken_once_and_the_rest_of_the_inbox_goes_on(
        big_ws, monkeypatch):
    """Four files in an inbox that refuses moves for two nights, all on intake's large-file paths: an 850 read in
    pieces, the same file again under another name, a file over max_file_bytes and another 850. The first night
    takes each (two 855s and their 997s sent, the resend's FILE_DUPLICATE and the big file's FILE_TOO_LARGE
    recorded), leaves each in the inbox with its move owed, and fails naming all four; the second night sends,
    reports and archives nothing again. Before: the first file's refused move failed the partner with a bare
    PermissionError and the other three waited, night after night. Once permitted, each moves."""
    ws = big_ws
    first, second = po850("PO-9301", 9301), po850("PO-9302", 9302)
    assert len(first) < 1000 < 3 * len(first)
    write_settled(acme_inbox(ws) / "a-po.x12", first)
    write_settled(acme_inbox(ws) / "b-po-again.x12", first)
    write_settled(acme_inbox(ws) / "c-big.x12", po850("PO-9303", 9303) * 3)
    write_settled(acme_inbox(ws) / "d-po.x12", second)
    names = ["a-po.x12", "b-po-again.x12", "c-big.x12", "d-po.x12"]
    real, sent, archived = refuse_moves_from(monkeypatch, acme_inbox(ws)), [], []
    for now in ("2026-11-27T02:00:00", "2026-11-28T02:00:00"):
        status, out, summary = night_run(ws, now)
        failure = acme_of(summary)["failure"]
        assert status == 3 and failure.startswith(
            "intake: StorageError: 4 file(s) were taken and answered but could not be moved out of the inbox "
            "(permission denied)"), (failure, out)
        assert f"files='{', '.join(names)}'" in failure, failure
        assert acme_folder(ws, "inbox") == names
        assert acme_folder(ws, "processed") == acme_folder(ws, "quarantine") == []
        sent = sent or outbox_kinds(ws)
        assert sent == ["855", "855", "997", "997"] and outbox_kinds(ws) == sent
        archived = archived or acme_folder(ws, "archive")
        assert len(archived) == 4 and acme_folder(ws, "archive") == archived  # the first night's, one a file
        assert duplicates(ws) == [("20261127T020000", "b-po-again.x12", "nothing sent again", "refused",
                                   "nothing sent again; left in the inbox: its move was refused (permission denied)")]
        assert too_large(ws) == [("20261127T020000", "c-big.x12")]
        assert files_rows(ws) == [("a-po.x12", "processed", 0), ("c-big.x12", "quarantined", 0),
                                  ("d-po.x12", "processed", 0)]
    monkeypatch.setattr(local.LocalDrop, "_place", real)
    status, out, summary = night_run(ws, "2026-11-29T02:00:00")
    assert (status, acme_of(summary)["failure"], acme_of(summary)["duplicates"]) == (0, "", 0), out
    assert acme_folder(ws, "inbox") == []
    assert acme_folder(ws, "processed") == ["a-po.x12", "b-po-again.x12", "d-po.x12"]
    assert acme_folder(ws, "quarantine") == ["c-big.x12"]
    assert outbox_kinds(ws) == sent and acme_folder(ws, "archive") == archived
    assert duplicates(ws) == [("20261127T020000", "b-po-again.x12", "nothing sent again", "moved",
                               "nothing sent again; moved out of the inbox once permitted")]
    assert [r[2] for r in files_rows(ws)] == [1, 1, 1]


# --- 2. the ASN SLA times an 856 sent again under new numbers by its first sending --------------------------------
def test_an_856_resent_under_new_numbers_is_timed_by_its_first_sending_in_the_asn_sla(tmp_path):
    """ACME's 856 for SHP-1001 (ISA13 7, delivered 2026-11-27 14:30, 25 minutes after departure: on time) sent
    again under new numbers weeks later (`orderbridge resend --new-control-numbers`): our shipped lines carry the
    resend's numbers, file and time (one envelope: docs/state-store.md, resends), but the ASN SLA ("ASN before
    arrival", late_asn) times what we did, the first sending, so the shipment is still met. Before: the SLA took the
    lines' sent time, the resend's, and counted SHP-1001's ASN late."""
    import pyarrow.parquet as pq

    from connectors.state import StateStore
    from flows.reconcile import reconcile_run
    from tests.support import shipping_demo
    from tests.test_resend import outbox, resend

    ws = shipping_demo(tmp_path / "ws")["ws"]
    (outbox(ws) / "acme-856-000000007.x12").unlink()
    done = resend(ws, "--isa", "7", "--new-control-numbers", "--now", "2026-12-20T09:00:00")
    assert done.exit_code == 0, done.output
    state = StateStore(ws.state_path)
    try:
        assert state.first_sendings().to_pylist() == [
            {"partner": "acme", "isa13": "000000013", "gs06": "12", "file": "acme-856-000000013.x12",
             "first_sent_at": datetime(2026, 11, 27, 14, 30)}]
        sent = {(r["isa13"], r["sent_at"]) for r in state.fulfilment_lines().to_pylist()
                if r["document_ref"] == "SHP-1001"}
        assert sent == {("000000013", datetime(2026, 12, 20, 9))}, sent  # the lines: the resend's envelope
        reconcile_run(ws, ws.partners(), state, now=datetime(2026, 12, 21, 2), run_id="r1")
    finally:
        state.close()
    sla = {(r["partner"], r["sla"]): (r["met"], r["measured"])
           for r in pq.read_table(ws.reports_dir / "r1" / "finance" / "data" / "kpi_sla.parquet").to_pylist()}
    assert sla[("acme", "ASN before arrival")] == (2, 2), sla  # SHP-1001 and SHP-1004, each sent on time
    risk = {(r["partner"], r["incident"]): r["incidents"] for r in pq.read_table(
        ws.reports_dir / "r1" / "finance" / "data" / "kpi_chargeback_risk.parquet").to_pylist()}
    assert risk[("acme", "late_asn")] == 0, risk
