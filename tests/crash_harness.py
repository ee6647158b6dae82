"""The crash-safety harness: the demo's two nights run by `orderbridge run` in a subprocess, killed
with SIGKILL at an injected point (flows.faults, ORDERBRIDGE_KILL_AT) or after a random delay, run
again, and compared with the same nights run without a kill: outbox bytes, the state store (control
numbers and SSCC / invoice sequences, documents, orders, lines, reservations, 860s, files, shipments,
cartons, invoices, findings), the files' folders and the night's failure report. The workspace has
the demo's warehouses; night 2 finds day 1's shipment confirmations in their drops (856s, 810s).

The runs use `--no-prefect` (the same stages in one process, no Prefect API server: ~3 s a run
instead of ~15 s more to start the server) and `--no-gx` (the same rules as plain functions); the
full sweep (`make crash`) adds runs through Prefect and with GX. Used by tests/test_crash_safety.py.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests.support import REPO, seed_demo_data

NIGHTS = (("drops", "2026-11-27T02:00:00"), ("drops-day2", "2026-11-28T02:00:00"))
CONFIRMATIONS = {1: "warehouse-drops"}  # night -> the warehouses' confirmations dropped before it (sample_files/)
CLI = [sys.executable, "-c", "from flows.cli import main; main()"]


@dataclass(frozen=True)
class Kill:
    """Where to kill night ``night`` (0 or 1): an injected point (``point@n``) or after ``after`` seconds."""

    night: int
    point: str = ""
    after: float = 0.0
    prefect: bool = False
    gx: bool = False

    @property
    def name(self) -> str:
        how = self.point or f"random-{self.after:.2f}s"
        return f"night{self.night + 1}-{how}" + ("-prefect" if self.prefect else "") + ("-gx" if self.gx else "")


def new_workspace(root: Path, *, shipping: bool = True) -> Path:
    """A workspace ready to run: the demo's profiles, reference data and inventory (tests.support) and
    its warehouses; without ``shipping``, the X12 partners only (no CSV order partner) and no warehouses."""
    root.mkdir(parents=True)
    seed_demo_data(root)
    if shipping:
        shutil.copytree(REPO / "warehouses", root / "warehouses")
    else:
        for profile in (root / "partners").glob("*.toml"):
            if "csv_orders" in profile.read_text(encoding="utf-8"):
                profile.unlink()
    return root


def drop_night(ws: Path, night: int) -> None:
    folder = REPO / "sample_files" / NIGHTS[night][0]
    for partner in sorted(folder.iterdir()):
        if not (ws / "partners" / f"{partner.name}.toml").is_file():
            continue  # a partner this workspace does not trade with
        inbox = ws / "drop" / partner.name / "inbox"
        inbox.mkdir(parents=True, exist_ok=True)
        for f in sorted(partner.iterdir()):
            shutil.copy2(f, inbox / f.name)
    if night in CONFIRMATIONS and (ws / "warehouses").is_dir():
        for warehouse in sorted((REPO / "sample_files" / CONFIRMATIONS[night]).iterdir()):
            inbox = ws / "warehouse-drop" / warehouse.name / "inbox"
            inbox.mkdir(parents=True, exist_ok=True)
            for f in sorted(warehouse.iterdir()):
                shutil.copy2(f, inbox / f.name)


def orderbridge(ws: Path, night: int, *, env: dict | None = None, prefect: bool = False, gx: bool = False,
                kill_after: float = 0.0, timeout: float = 600) -> subprocess.CompletedProcess:
    """`orderbridge run` on ``ws`` with night ``night``'s clock; with ``kill_after``, SIGKILL after so long."""
    args = [*CLI, "run", "-w", str(ws), "--now", NIGHTS[night][1], *([] if prefect else ["--no-prefect"]),
            *([] if gx else ["--no-gx"])]
    full_env = {**os.environ, **(env or {})}
    full_env.setdefault("PYTHONPATH", str(REPO))
    proc = subprocess.Popen(args, cwd=REPO, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if kill_after:
        try:
            out, err = proc.communicate(timeout=kill_after)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            out, err = proc.communicate()
    else:
        out, err = proc.communicate(timeout=timeout)
    return subprocess.CompletedProcess(args, proc.returncode, out, err)


def run_clean(ws: Path, night: int, **kw) -> None:
    res = orderbridge(ws, night, **kw)
    assert res.returncode in (0, 1), res.stdout + res.stderr
    assert "failed" not in res.stdout, res.stdout


# --- what is compared ------------------------------------------------------------------------------------
def snapshot(ws: Path, night: int) -> dict:
    """Everything a night leaves that must not depend on a crash (run ids and store ids left out)."""
    db = sqlite3.connect(ws / "state" / "orderbridge.sqlite")
    q = lambda sql: sorted(tuple(r) for r in db.execute(sql).fetchall())  # noqa: E731
    snap = {
        "outbox": {str(p.relative_to(ws / "drop")): p.read_bytes() for p in sorted(ws.glob("drop/*/outbox/*"))},
        "stray outbox files": sorted(str(p.relative_to(ws)) for p in ws.glob("drop/*/outbox/.*")
                                     if p.read_bytes() not in _outbox_contents(ws)),
        "folders": sorted(str(p.relative_to(ws)) for p in [*ws.glob("drop/*/*/*"), *ws.glob("warehouse-drop/*/*/*")]
                          if p.parent.name in ("inbox", "processed", "quarantine") and not p.name.startswith(".")),
        "control numbers": q("SELECT partner, kind, last FROM control_numbers"),
        "documents": q("SELECT partner, doc_type, file_name, isa13, gs06, content, status, created_at FROM documents"),
        "document sets": q("SELECT partner, doc_key, set_id, st02, gs06, po_number, source_sha256, answers_isa13,"
                           " answers_gs06 FROM document_sets"),
        "orders": q("SELECT partner, po_number, state, revision, answered_revision, order_ref, lines_key, arrival,"
                    " value, ack_type, answered_with, hold_codes, hold_reasons, codes, changed_lines, line_count"
                    " FROM orders"),
        "lines": q("SELECT partner, po_number, line_number, sku, state, ack, ordered, unit_price, ack_price, allocated,"
                   " backordered, rejected, promised_date, warehouses, reason, codes, revision, shipped, invoiced"
                   " FROM order_lines"),
        "reservations": q("SELECT partner, po_number, line_number, warehouse, sku, quantity FROM reservations"),
        "changes": q("SELECT partner, po_number, change_ref, store_key, status, base_key, revision"
                     " FROM pending_changes"),
        "files": q("SELECT partner, sha256, name, status, error_count, disposed_at IS NOT NULL FROM files"),
        "shipments": q("SELECT warehouse, shipment_id, partner, stock_warehouse, source_kind, source_file,"
                       " source_sha256, isa13, gs06, st02, ship_date, ship_time, carrier_scac, tracking_number,"
                       " departed_at, asn_due_at, asn_doc_key, asn_at, late, billing FROM shipments"),
        "cartons": q("SELECT warehouse, shipment_id, level, label, sscc, serial, pallet, po_number FROM cartons"),
        "shipment lines": q("SELECT warehouse, shipment_id, position, partner, po_number, line_number, sku, quantity,"
                            " carton FROM shipment_lines"),
        "invoices": q("SELECT invoice_number, partner, po_number, invoice_date, warehouse, shipment_id, merchandise,"
                      " charges, total, doc_key FROM invoices"),
        "history": q("SELECT partner, po_number, event, from_state, to_state, revision, note FROM order_events"),
        # a finding recorded again by a rerun (a file left in the inbox by the killed run) counts once
        "findings": sorted(set(q("SELECT stage, partner, po_number, code, severity, message, file, isa13, gs06, st02,"
                                 " segment_id, segment_position, element, value, line_number, consequence"
                                 " FROM findings"))),
        "report": night_report(ws, night, db),
    }
    db.close()
    return snap


def _outbox_contents(ws: Path) -> set[bytes]:
    return {p.read_bytes() for p in ws.glob("drop/*/outbox/*") if not p.name.startswith(".")}


def night_report(ws: Path, night: int, db: sqlite3.Connection) -> list[tuple]:
    """The failure report (CSV rows, sorted) of the night's first finished run: the rerun's after a
    crash (a run killed after it had finished is the night's run, and a rerun finds nothing new)."""
    clock = NIGHTS[night][1]
    rows = db.execute("SELECT run_id FROM runs WHERE clock=? AND status IN ('finished','failed') ORDER BY started_at,"
                      " run_id", (clock,)).fetchall()
    assert rows, f"no finished run for {clock}"
    folder = ws / "reports" / rows[0][0]
    assert (folder / "summary.json").is_file(), f"{folder} is not a finished report"
    text = (folder / "failures.csv").read_text(encoding="utf-8")
    return sorted(tuple(r) for r in csv.reader(io.StringIO(text)))


def differences(got: dict, want: dict) -> list[str]:
    out = []
    for key in want:
        if got[key] != want[key]:
            if isinstance(want[key], dict):
                keys = sorted(set(got[key]) ^ set(want[key])
                              | {k for k in want[key] if got[key].get(k) != want[key][k]})
                out.append(f"{key}: {keys[:8]}")
            else:
                extra = [x for x in got[key] if x not in want[key]][:3]
                missing = [x for x in want[key] if x not in got[key]][:3]
                out.append(f"{key}: extra {extra} missing {missing}")
    return out


def runs(ws: Path) -> list[tuple]:
    db = sqlite3.connect(ws / "state" / "orderbridge.sqlite")
    try:
        return db.execute("SELECT run_id, clock, status, recovers FROM runs ORDER BY started_at, run_id").fetchall()
    finally:
        db.close()


# --- one case ----------------------------------------------------------------------------------------------
class Baseline:
    """The two nights without a kill: a workspace copy after each night and its snapshot."""

    def __init__(self, root: Path, *, gx: bool = False) -> None:
        self.root = root
        self.after: list[Path] = []
        self.snaps: list[dict] = []
        ws = new_workspace(root / "baseline")
        started = time.monotonic()
        for night in range(len(NIGHTS)):
            drop_night(ws, night)
            run_clean(ws, night, gx=gx)
            self.snaps.append(snapshot(ws, night))
            copy = root / f"after-night{night + 1}"
            shutil.copytree(ws, copy, symlinks=True)
            self.after.append(copy)
        self.seconds_per_run = (time.monotonic() - started) / len(NIGHTS)


def crash_and_recover(base: Baseline, kill: Kill, root: Path, *, later_nights: bool = True) -> list[str]:
    """Kill night ``kill.night`` as asked, run it again (then the following nights, with
    ``later_nights``); the differences from the baseline after every night (empty: crash-safe)."""
    ws = root / kill.name
    if kill.night == 0:
        new_workspace(ws)
    else:
        shutil.copytree(base.after[kill.night - 1], ws, symlinks=True)
    drop_night(ws, kill.night)
    env = {"ORDERBRIDGE_KILL_AT": kill.point} if kill.point else {}
    killed = orderbridge(ws, kill.night, env=env, prefect=kill.prefect, gx=kill.gx, kill_after=kill.after)
    problems = []
    if kill.point and killed.returncode != -signal.SIGKILL:
        problems.append(f"the run was not killed at {kill.point} (exit {killed.returncode}): {killed.stderr[-500:]}")
    if killed.returncode == -signal.SIGKILL:
        before = runs(ws)
    rerun = orderbridge(ws, kill.night, prefect=kill.prefect, gx=kill.gx)
    if rerun.returncode not in (0, 1) or "failed" in rerun.stdout:
        return [*problems, f"the rerun failed (exit {rerun.returncode}): {rerun.stdout[-800:]} {rerun.stderr[-800:]}"]
    if killed.returncode == -signal.SIGKILL:
        problems += crashed_run_recorded(before, runs(ws), kill)
    problems += [f"night {kill.night + 1}: {d}" for d in differences(snapshot(ws, kill.night), base.snaps[kill.night])]
    for night in range(kill.night + 1, len(NIGHTS) if later_nights else 0):
        drop_night(ws, night)
        run_clean(ws, night, gx=kill.gx)
        problems += [f"night {night + 1}: {d}" for d in differences(snapshot(ws, night), base.snaps[night])]
    return problems


def crashed_run_recorded(before: list[tuple], after: list[tuple], kill: Kill) -> list[str]:
    """The killed run was on record as running; the rerun completed its work and says so in the runs
    table: a rerun with its clock resumes it under its own id (flows.reports.run_id_for) and names it
    in its recovers; a rerun under another id finds it crashed and carries it in its recovers."""
    clock = NIGHTS[kill.night][1]
    killed = [r for r in before if r[1] == clock and r[2] == "running"]
    if not killed:  # killed before the run was recorded, or after it had finished
        return []
    run_id = killed[-1][0]
    now = {r[0]: r for r in after}
    done = [r for r in after if r[2] in ("finished", "failed") and run_id in (r[3] or "").split(",")]
    if not done:
        return [f"no finished run carries the killed run {run_id}: {after}"]
    if done[-1][0] != run_id and now[run_id][2] != "crashed":
        return [f"the killed run {run_id} is {now[run_id][2]}, not crashed"]
    return []
