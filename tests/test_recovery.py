"""State that cannot be lost quietly (issue 10, items 1, 2, 7 and 8): a file's intended disposition
survives a crash before its move; a crashed run's report folder is never taken for a finished one; a
decide stage whose store changed underneath writes nothing; an outbox file is never overwritten with
other bytes; a workspace with history and no (or an empty) state store refuses to run; a v2 store
gains the recovery columns."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import pytest
from typer.testing import CliRunner

import flows.intake as intake
from connectors.local import LocalDrop
from connectors.reference import load_reference
from connectors.state import COLUMNS_ADDED_IN, StateConflict, StateStore
from engine import lifecycle
from flows import steps
from flows.cli import app
from flows.night import InProcess, run_night
from schemas.errors import StateError
from schemas.lifecycle import OrderRecord, OrderState, Plan
from tests.support import make_workspace, run_stages

NOW = datetime(2026, 11, 27, 2, 0)


class Killed(BaseException):
    """Stands for a SIGKILL inside one process: nothing after it runs (not an Exception: no handler
    on the way catches it)."""


def test_a_crash_between_the_intake_commit_and_the_move_keeps_the_files_disposition(tmp_path, monkeypatch):
    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    profile = ws.partners()["acme"]
    real = intake._dispose
    monkeypatch.setattr(intake, "_dispose", lambda *a: (_ for _ in ()).throw(Killed()))
    state = StateStore(ws.state_path)
    with pytest.raises(Killed):  # acme-po-01.x12 is committed (its 997 stored), then the process dies
        steps.intake_partner(ws, profile, state, LocalDrop(ws.drop_root / "acme"), now=NOW, run_id="killed")
    monkeypatch.setattr(intake, "_dispose", real)
    state.close()
    inbox = ws.drop_root / "acme" / "inbox"
    assert sorted(p.name for p in inbox.iterdir()) == ["acme-po-01.x12", "acme-po-02.x12", "acme-po-broken.x12"]
    # the broken file, committed and killed before its move, then the rest
    broken = (inbox / "acme-po-broken.x12").read_bytes()
    for name in ("acme-po-01.x12", "acme-po-02.x12"):
        (inbox / name).rename(tmp_path / name)
    state = StateStore(ws.state_path)
    monkeypatch.setattr(intake, "_dispose", lambda *a: (_ for _ in ()).throw(Killed()))
    with pytest.raises(Killed):
        steps.intake_partner(ws, profile, state, LocalDrop(ws.drop_root / "acme"), now=NOW, run_id="killed-2")
    monkeypatch.setattr(intake, "_dispose", real)
    errors_before = [f for f in state.findings(run_id="killed-2") if f["severity"] == "error"]
    assert errors_before and (inbox / "acme-po-broken.x12").exists()
    for name in ("acme-po-01.x12", "acme-po-02.x12"):
        (tmp_path / name).rename(inbox / name)
    res = steps.intake_partner(ws, profile, state, LocalDrop(ws.drop_root / "acme"), now=NOW, run_id="rerun")
    assert (ws.drop_root / "acme" / "quarantine" / "acme-po-broken.x12").read_bytes() == broken
    assert not (ws.drop_root / "acme" / "processed" / "acme-po-broken.x12").exists()
    assert sorted(p.name for p in (ws.drop_root / "acme" / "processed").iterdir()) == ["acme-po-01.x12",
                                                                                      "acme-po-02.x12"]
    assert res.duplicates == 0 and not [f for f in res.findings if f["code"] == "FILE_DUPLICATE"]
    assert (res.quarantined, res.processed) == (1, 2)
    assert all(f["disposed_at"] for f in [state.file_record("acme", r["sha256"]) for r in state.files("acme")])
    # the killed runs' findings reach the rerun's report (it completed their work: runs.recovers)
    state.start_run("rerun", NOW.isoformat(), clock=NOW.isoformat(), recovers=["killed", "killed-2"])
    summary = steps.write_reports(ws, "rerun", state=state, partners=["acme"])
    csv = open(summary["reports"]["failures_csv"], encoding="utf-8").read()
    assert all(f["code"] in csv for f in errors_before) and "acme-po-broken.x12" in csv
    state.close()


def test_a_killed_runs_report_folder_is_never_a_finished_one(tmp_path, monkeypatch):
    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    results, run = run_stages(ws, NOW)
    import flows.reports as reports

    state = StateStore(ws.state_path)
    monkeypatch.setattr(reports, "render_failures_html", lambda *a, **k: (_ for _ in ()).throw(Killed()))
    with pytest.raises(Killed):  # killed with the CSV written, the page not yet
        steps.write_reports(ws, "20261127T020000", state=state, availability=run.availability)
    assert not (ws.reports_dir / "20261127T020000").exists()  # only a hidden .partial- folder
    assert [p.name for p in ws.reports_dir.iterdir()] == [".partial-20261127T020000"]
    assert steps.run_id_for(NOW, ws, state) == "20261127T020000-2"  # never taken for a finished report
    monkeypatch.undo()
    summary = steps.write_reports(ws, "20261127T020000-2", state=state, availability=run.availability)
    folder = ws.reports_dir / "20261127T020000-2"
    assert sorted(p.name for p in folder.iterdir()) == ["availability.parquet", "failures-hints.csv", "failures.csv",
                                                         "failures.html", "failures.parquet", "summary.html",
                                                         "summary.json"]
    assert summary["reports"]["failures_html"] == str(folder / "failures.html")
    state.close()


def test_a_decide_stage_whose_store_changed_underneath_writes_nothing(tmp_path, monkeypatch):
    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    state = StateStore(ws.state_path)
    profiles = ws.partners()
    steps.intake_partner(ws, profiles["acme"], state, LocalDrop(ws.drop_root / "acme"), now=NOW, run_id="r")
    before = (len(state.documents()), {o.po_number: o.state for o in state.orders()})
    real = lifecycle.in_answer_order

    def meanwhile(plan, change_ids):  # another writer commits an order while this stage decides
        other = StateStore(ws.state_path)
        other.apply(Plan(transitions=(lifecycle.create(OrderRecord("elsewhere", "OTHER-1", OrderState.RECEIVED),
                                                       at=NOW.isoformat(), run_id="other"),)))
        other.close()
        return real(plan, change_ids)

    monkeypatch.setattr(lifecycle, "in_answer_order", meanwhile)
    with pytest.raises(StateConflict, match="changed while this stage was deciding"):
        steps.decide_run(ws, profiles, state, load_reference(ws.reference_dir), steps.load_inventory(ws, NOW.date()),
                         now=NOW, run_id="r", use_gx=False)
    orders = {o.po_number: o.state for o in state.orders() if o.partner == "acme"}
    assert (len(state.documents()), orders) == before  # nothing decided, nothing numbered
    assert not state.reservations()
    monkeypatch.undo()
    run = steps.decide_run(ws, profiles, state, load_reference(ws.reference_dir),
                           steps.load_inventory(ws, NOW.date()), now=NOW, run_id="r2", use_gx=False)
    assert run.documents  # the next attempt decides them, once
    state.close()


def test_an_outbox_file_is_never_overwritten_with_other_bytes(tmp_path):
    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    outbox = ws.drop_root / "acme" / "outbox"
    outbox.mkdir(parents=True, exist_ok=True)
    taken = outbox / "acme-997-000000001.x12"  # what a store started from scratch would number first
    taken.write_bytes(b"ISA*sent last week, before the state store was lost~")
    with pytest.raises(StateError, match="not overwritten"):  # acme's delivery fails, and says why
        run_stages(ws, NOW)
    assert taken.read_bytes() == b"ISA*sent last week, before the state store was lost~"
    state = StateStore(ws.state_path)
    [doc] = [d for d in state.documents("acme") if d.file_name == taken.name]
    assert doc.status == "pending"
    [conflict] = [f for f in state.findings() if f["code"] == "OUTBOX_FILE_CONFLICT"]
    assert conflict["file"] == taken.name and conflict["severity"] == "error"
    assert len([d for d in state.documents("acme") if d.status == "delivered"]) == len(state.documents("acme")) - 1
    state.close()


@pytest.mark.parametrize("how", ["deleted", "empty file", "empty store"])
def test_a_workspace_with_history_and_no_state_refuses_to_run(tmp_path, how):
    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    run_night(str(ws.root), stages=InProcess(), now=NOW.isoformat(), use_gx=False)
    sent = {p.name: p.read_bytes() for p in (ws.drop_root / "acme" / "outbox").iterdir()}
    for p in ws.state_path.parent.glob("orderbridge.sqlite*"):
        p.unlink()
    if how == "empty file":
        ws.state_path.write_bytes(b"")
    elif how == "empty store":
        StateStore(ws.state_path).close()  # the schema, nothing in it
    (ws.drop_root / "acme" / "inbox" / "again.x12").write_bytes(
        (ws.drop_root / "acme" / "processed" / "acme-po-01.x12").read_bytes())
    res = CliRunner().invoke(app, ["run", "-w", str(ws.root), "--now", "2026-11-28T02:00:00", "--no-prefect",
                                   "--no-gx"])
    assert res.exit_code == 4, res.output
    text = " ".join(res.output.split())
    assert "has history" in text and "orderbridge state rebuild" in text and "orderbridge state restore" in text
    assert {p.name: p.read_bytes() for p in (ws.drop_root / "acme" / "outbox").iterdir()} == sent
    assert (ws.drop_root / "acme" / "inbox" / "again.x12").exists()  # nothing was read
    assert how != "deleted" or not ws.state_path.exists()  # and no store was made


def test_a_new_workspace_gets_a_new_store(tmp_path):
    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    summary = run_night(str(ws.root), stages=InProcess(), now=NOW.isoformat(), use_gx=False)
    assert summary["partners"][0]["documents"]["855"] == 2


@pytest.mark.parametrize("version", [5, 6])
def test_a_store_before_recovery_gains_the_recovery_columns(tmp_path, version):
    """Version 5 (before fulfilment) and version 6 (fulfilment's tables, main's stores) both reach the
    latest version with files.disposed_at and runs.recovers filled in."""
    import connectors.state_migrations as mig

    path = tmp_path / "s.sqlite"
    StateStore(path).close()
    db = sqlite3.connect(path)  # what that version looked like
    db.execute("ALTER TABLE files DROP COLUMN disposed_at")
    db.execute("ALTER TABLE runs DROP COLUMN recovers")
    if version < mig.SHIPPING:
        for table in ("shipments", "cartons", "shipment_lines", "invoices", "invoice_lines"):
            db.execute(f"DROP TABLE {table}")
        for table, column, _ in COLUMNS_ADDED_IN[mig.SHIPPING]:
            db.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    db.execute("UPDATE meta SET value=? WHERE key='schema_version'", (str(version),))
    db.execute("INSERT INTO files (partner, sha256, name, size, received_at, status) VALUES"
               " ('acme', 'abc', 'a.x12', 3, '2026-11-27T02:00:00', 'processed')")
    db.executemany("INSERT INTO runs (run_id, kind, clock, started_at, status) VALUES (?, 'nightly', ?, ?, ?)",
                   [("n1", "2026-11-27T02:00:00", "2026-11-27T02:00:01", "running"),  # killed
                    ("n2", "2026-11-27T06:30:00", "2026-11-27T06:30:01", "finished"),  # its report covered n1
                    ("n3", "2026-11-28T02:00:00", "2026-11-28T02:00:01", "finished")])
    db.commit()
    db.close()
    state = StateStore(path)
    assert state.schema_version == mig.LATEST == mig.ORDER_TYPES + 19 == mig.RETAKES + 20 == mig.OUR_GS_IDS + 21 \
        == mig.RETURNED_SERIALS + 22 == mig.SUBSTITUTES + 23 \
        and mig.SUBSTITUTES == mig.SERIALS + 1 == mig.BUYER_GS_IDS + 2 \
        == mig.BILLED_WEIGHTS + 3 == mig.RECORDED_AMOUNTS + 4 == mig.NET_WEIGHTS + 5 == mig.STORE_MARKS + 6
    assert mig.NET_WEIGHTS == mig.STORE_MARKS + 1 == mig.TA1_ACKS + 2 \
        == mig.RETUNED_INDEXES + 3 == mig.LEASES + 4 == mig.RECOVERY + 5
    assert {"shipments", "invoices"} <= state._table_names() and "shipped" in state._columns("order_lines")
    assert state.file_record("acme", "abc")["disposed_at"] == "2026-11-27T02:00:00"  # it was moved then
    # the runs on record get what a run records when it starts: n2 completed n1's work
    assert {r["run_id"]: r["recovers"] for r in state.runs()} == {"n1": [], "n2": ["n1"], "n3": []}
    from flows.reports import run_scope

    assert run_scope(state, "n2") == ["n1", "n2"] and run_scope(state, "n3") == ["n3"]
    state.start_run("r", "2026-11-28T02:00:00", recovers=["a", "b"])
    assert state.run("r")["recovers"] == ["a", "b"]
    state.close()
