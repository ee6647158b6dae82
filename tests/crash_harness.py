"""The crash-safety harness: the demo's two nights run by `orderbridge run` in a subprocess, killed
with SIGKILL at an injected point (flows.faults, ORDERBRIDGE_KILL_AT) or after a random delay, run
again, and compared with the same nights run without a kill: outbox bytes, the state store (control
numbers and SSCC / invoice sequences, documents, orders, lines, reservations, 860s, files, shipments,
cartons, invoices, findings), the files' folders and the night's failure report. The workspace has
the demo's warehouses; night 2 finds day 1's shipment confirmations in their drops (856s, 810s).

The runs use `--no-prefect` (the same stages in one process, no Prefect API server: ~3 s a run
instead of ~15 s more to start the server) and `--no-gx` (the same rules as plain functions); the
full sweep (`make crash`) adds runs through Prefect and with GX. Used by tests/test_crash_safety.py.

The `--no-prefect` runs (orderbridge(), run_clean()) are each a fork of one helper process per test process that
imported the command's modules once (Forks): a process of its own, its own environment, folder and
standard streams, `flows.cli.main` with the run's arguments, killed by SIGKILL and reaped as before; only
the ~1.3 s of imports each `python -c` paid (two runs a case) is gone. Runs through Prefect start as
their own `python -c` as before (the temporary API server dies with its parent).
"""

from __future__ import annotations

import atexit
import csv
import io
import json
import os
import select
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


# the helper: imports what `orderbridge run --no-prefect` imports, then forks one child per request (a
# line of JSON: argv, env, cwd, files for the standard streams), says its pid, reaps it and says its exit
# status (a negative signal number, as Popen's returncode). The child runs as `python -c` would: the
# interpreter's exit handlers at the end, os._exit with main's status.
_FORKS = r"""
import atexit, json, os, sys, traceback
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
import flows.cli, flows.night, flows.steps, flows.shipments, engine.report_failures, schemas.profile
import connectors.state, connectors.snapshots, typer._adapters  # noqa
for line in sys.stdin:
    req = json.loads(line)
    sys.stdout.flush(); sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.environ.clear(); os.environ.update(req["env"]); os.chdir(req["cwd"])
            null = os.open(os.devnull, os.O_RDONLY); os.dup2(null, 0)
            for fd, name in ((1, req["stdout"]), (2, req["stderr"])):
                os.dup2(os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), fd)
            sys.argv = req["argv"]
            try:
                flows.cli.main()
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
                if exc.code is not None and not isinstance(exc.code, int):
                    print(exc.code, file=sys.stderr)
            except BaseException:
                traceback.print_exc()
            atexit._run_exitfuncs()
            sys.stdout.flush(); sys.stderr.flush()
        finally:
            os._exit(code)
    print(json.dumps({"pid": pid}), flush=True)
    print(json.dumps({"status": os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])}), flush=True)
"""
_forks: subprocess.Popen | None = None
_said = bytearray()  # what the helper wrote that is not read yet (its lines read from the pipe itself: no
# buffered reader may hold a line that select() would then wait for)


def _fork_server() -> subprocess.Popen:
    global _forks
    if _forks is None or _forks.poll() is not None:
        env = {**os.environ, "PYTHONPATH": os.environ.get("PYTHONPATH", str(REPO))}
        _forks = subprocess.Popen([sys.executable, "-c", _FORKS], cwd=REPO, env=env, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, bufsize=0)
        _said.clear()
        atexit.register(_stop_fork_server, _forks)
    return _forks


def _said_line(server: subprocess.Popen, timeout: float | None = None) -> dict | None:
    """The helper's next line (JSON), None when none came within ``timeout``."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while b"\n" not in _said:
        left = None if deadline is None else max(0.0, deadline - time.monotonic())
        if not select.select([server.stdout], [], [], left)[0]:
            return None
        chunk = os.read(server.stdout.fileno(), 4096)
        if not chunk:
            raise RuntimeError("the fork helper exited")
        _said.extend(chunk)
    line, _, rest = bytes(_said).partition(b"\n")
    _said[:] = rest
    return json.loads(line)


def _stop_fork_server(server: subprocess.Popen) -> None:
    server.stdin.close()  # the helper's loop ends; reaped here
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _forked(args: list[str], env: dict, root: Path, kill_after: float, timeout: float) -> tuple[int, str, str]:
    """``args`` run by a fork of the helper: (exit status, standard output, standard error)."""
    server = _fork_server()
    out, err = root / ".forked-stdout", root / ".forked-stderr"
    server.stdin.write(json.dumps({"argv": ["-c", *args[len(CLI):]], "env": env, "cwd": str(REPO),
                                   "stdout": str(out), "stderr": str(err)}).encode() + b"\n")
    server.stdin.flush()
    pid = _said_line(server)["pid"]
    done = _said_line(server, kill_after or timeout)
    late = done is None
    if late:  # not reaped yet (the helper says so only after waitpid): the pid is still the child's
        os.kill(pid, signal.SIGKILL)
        done = _said_line(server)
    status = done["status"]
    if late and not kill_after:
        raise subprocess.TimeoutExpired(args, timeout)
    texts = out.read_text(encoding="utf-8", errors="replace"), err.read_text(encoding="utf-8", errors="replace")
    out.unlink()
    err.unlink()
    return status, *texts


def orderbridge(ws: Path, night: int, *, env: dict | None = None, prefect: bool = False, gx: bool = False,
                kill_after: float = 0.0, timeout: float = 600, forked: bool = True) -> subprocess.CompletedProcess:
    """`orderbridge run` on ``ws`` with night ``night``'s clock; with ``kill_after``, SIGKILL after so long.
    Without ``prefect``, run by a fork of the helper process (above), unless not ``forked`` (`python -c`)."""
    args = [*CLI, "run", "-w", str(ws), "--now", NIGHTS[night][1], *([] if prefect else ["--no-prefect"]),
            *([] if gx else ["--no-gx"])]
    full_env = {**os.environ, **(env or {})}
    full_env.setdefault("PYTHONPATH", str(REPO))
    if forked and not prefect:
        status, out, err = _forked(args, full_env, ws.parent, kill_after, timeout)
        return subprocess.CompletedProcess(args, status, out, err)
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
        # the 997s answering the 3PLs' 945s (flows.shipments), written to the warehouses' outboxes once
        "warehouse outbox": {str(p.relative_to(ws)): p.read_bytes()
                             for p in sorted(ws.glob("warehouse-drop/*/outbox/*")) if not p.name.startswith(".")},
        "stray warehouse outbox files": sorted(
            str(p.relative_to(ws)) for p in ws.glob("warehouse-drop/*/outbox/.*")
            if p.read_bytes() not in {q.read_bytes() for q in ws.glob("warehouse-drop/*/outbox/*")
                                      if not q.name.startswith(".")}),
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
        _fork_server()  # started (its imports) before the runs are timed
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
