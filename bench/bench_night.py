"""The whole night as it runs in production: `orderbridge run` (a subprocess, Prefect's temporary API
server, a fixed clock) on an empty night (its fixed cost: interpreter, imports, server start) and on
1x, 2x and 4x of 50,000 order lines (2,500 POs x 20 lines per 1x), one partner; the east DC's shipment
confirmations for half of the POs wait in its inbox (bench/night.py), so the same run ships them (856s)
and invoices them (810s). For each: wall and CPU time (the process tree's), the stages' own wall and
CPU times (ORDERBRIDGE_STAGE_TIMES) and what is outside them (start-up, Prefect's task runs, exit:
wall, orderbridge's CPU; the Prefect API server's CPU, sampled from /proc), the peak RSS of the
process tree (sampled every 50 ms), and pyx12's X12Reader merely iterating the same inbox files in
this same bench run; ratio = (night - empty night) / pyx12. A first empty night warms Prefect's
database and is not counted. Measured, never asserted (tests assert behaviour); whether half of the
POs shipped, with an 856 and an 810 each, is printed. --no-prefect runs `orderbridge run --no-prefect`
(no warm-up night: the tests' tiny night).

    .venv/bin/python bench/bench_night.py [--lines 50000] [--multiples 1 2 4] [--batch run] [--also-document]
                                           [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.night import LINES_PER_PO, confirmations, prepare, pyx12_read  # noqa: E402

CLOCK = "2026-11-27T02:00:00"
WORK = ROOT / ".bench" / "night"
STAGES = ("intake", "decide", "ship", "invoice", "deliver", "reconcile", "reports")
DECIDE = ("decide.load", "decide.rules", "decide.decisions", "decide.allocate", "decide.plan", "decide.apply")


class TreePeak(threading.Thread):
    """Peak resident memory of a process and all its descendants (sum), sampled from /proc; also the
    CPU seconds each descendant had used when last seen (``child_cpu``: the Prefect API server's)."""

    def __init__(self, pid: int, every: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid, self.every, self.peak, self.done = pid, every, 0, threading.Event()
        self.cpu: dict[int, float] = {}

    def run(self) -> None:
        while not self.done.is_set():
            rss, cpu = tree(self.pid)
            self.peak = max(self.peak, rss)
            self.cpu.update(cpu)
            self.done.wait(self.every)

    @property
    def child_cpu(self) -> float:
        return sum(c for pid, c in self.cpu.items() if pid != self.pid)


def tree(root: int, *, reaped: bool = False) -> tuple[int, dict[int, float]]:
    """(resident bytes of ``root`` and its live descendants, {pid: CPU seconds so far} of each: user + system
    time, with ``reaped`` the children each of them waited for too: a worker's finished flow runs, PostgreSQL's
    ended backends)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    cpu: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            pid, ppid = int(entry), int(fields[1])
            rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
            cpu[pid] = sum(int(f) for f in fields[11:15 if reaped else 13]) / tick  # utime, stime (cutime, cstime)
            children.setdefault(ppid, []).append(pid)
        except (OSError, IndexError, ValueError):
            continue
    total, seen, todo = 0, {}, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        if pid in cpu:
            seen[pid] = cpu[pid]
        todo += children.get(pid, [])
    return total, seen


def night(label: str, n_pos: int, batch: str | int, prefect_home: Path, *, prefect: bool = True,
          keep: Path | None = None) -> dict:
    ws = WORK / label
    n_lines = prepare(ws, n_pos, batch=batch)
    to_ship = confirmations(ws, n_pos) if n_pos else 0
    inbox = sorted((ws / "drop" / "acme" / "inbox").glob("*.x12"))
    size = sum(p.stat().st_size for p in inbox)
    px_wall, px_cpu, _ = pyx12_read(inbox) if inbox else (0.0, 0.0, 0)
    times = ws / "stage-times.jsonl"
    startup = os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")  # more on a busy machine
    env = {**os.environ, "PREFECT_HOME": str(prefect_home), "ORDERBRIDGE_STAGE_TIMES": str(times),
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": startup}
    env.pop("PREFECT_API_URL", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    command = [str(ROOT / ".venv" / "bin" / "orderbridge"), "run", "-w", str(ws), "--now", CLOCK]
    proc = subprocess.Popen(command + ([] if prefect else ["--no-prefect"]),
                            env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = TreePeak(proc.pid)
    peak.start()
    out, _ = proc.communicate()
    wall = time.perf_counter() - wall
    peak.done.set()
    peak.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"orderbridge run failed ({proc.returncode}):\n{out[-3000:]}")
    stages: dict[str, float] = {}
    stage_cpu: dict[str, float] = {}
    memory: dict[str, tuple] = {}  # stage -> (resident MB when it ended, the process's peak so far)
    for line in times.read_text().splitlines() if times.exists() else []:
        row = json.loads(line)
        stages[row["stage"]] = stages.get(row["stage"], 0.0) + row["seconds"]
        stage_cpu[row["stage"]] = stage_cpu.get(row["stage"], 0.0) + row.get("cpu", 0.0)
        if row["stage"] in STAGES:
            memory[row["stage"]] = (row.get("rss_mb"), row.get("peak_rss_mb"))
    db = sqlite3.connect(ws / "state" / "orderbridge.sqlite")
    answered = db.execute("SELECT COUNT(*) FROM document_sets WHERE set_id='855'").fetchone()[0]
    files = db.execute("SELECT COUNT(*) FROM documents WHERE doc_type='855' AND status='delivered'").fetchone()[0]
    acknowledged = db.execute("SELECT COUNT(*) FROM orders WHERE state IN ('acknowledged', 'partially_shipped', "
                              "'shipped', 'invoiced')").fetchone()[0]
    sent = dict(db.execute("SELECT s.set_id, COUNT(*) FROM document_sets s JOIN documents d ON d.id = s.document_id "
                           "WHERE s.set_id IN ('856', '810') AND d.status = 'delivered' GROUP BY s.set_id").fetchall())
    shipped = db.execute("SELECT COUNT(DISTINCT partner || ':' || po_number) FROM shipment_lines").fetchone()[0]
    db.close()
    if acknowledged != n_pos or answered != n_pos:
        raise SystemExit(f"{label}: {acknowledged} of {n_pos} orders acknowledged, {answered} 855s")
    if keep is not None:  # the whole workspace, to compare two commits' nights file by file
        shutil.rmtree(keep / label, ignore_errors=True)
        keep.mkdir(parents=True, exist_ok=True)
        shutil.move(str(ws), str(keep / label))
    shutil.rmtree(ws, ignore_errors=True)
    return {"night": label, "pos": n_pos, "lines": n_lines, "mb": size / 1e6, "wall": wall,
            "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
            "peak_mb": peak.peak / 2**20, "pyx12": px_wall, "pyx12_cpu": px_cpu, "stages": stages,
            "stage_cpu": stage_cpu, "server_cpu": peak.child_cpu,
            "files_855": files, "to_ship": to_ship, "shipped_pos": shipped, "sent_856": sent.get("856", 0),
            "sent_810": sent.get("810", 0), "memory": memory}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=50_000, help="order lines at 1x (default 50,000)")
    ap.add_argument("--multiples", type=int, nargs="+", default=[1, 2, 4])
    ap.add_argument("--batch", default="run", help="ACME's delivery.batch in the bench (default: run)")
    ap.add_argument("--also-document", action="store_true",
                    help="also the largest night with delivery.batch = document (one file per 855)")
    ap.add_argument("--no-prefect", action="store_true", help="orderbridge run --no-prefect (no warm-up night)")
    ap.add_argument("--keep", type=Path, metavar="DIR",
                    help="keep each night's workspace as DIR/<night> (replaced if there) instead of deleting it")
    args = ap.parse_args(argv)
    batch: str | int = int(args.batch) if args.batch.isdigit() else args.batch
    WORK.mkdir(parents=True, exist_ok=True)
    prefect_home = WORK / "prefect-home"
    shutil.rmtree(prefect_home, ignore_errors=True)
    print(f"orderbridge run, one partner (ACME), {LINES_PER_PO} lines per PO, delivery.batch = {batch!r}; "
          f"clock {CLOCK}; PREFECT_HOME {prefect_home.relative_to(ROOT)}")
    prefect = not args.no_prefect
    if prefect:
        night("warm-up", 0, batch, prefect_home)  # creates Prefect's database: not counted
    rows = [night("empty", 0, batch, prefect_home, prefect=prefect, keep=args.keep)]
    for m in args.multiples:
        rows.append(night(f"{m}x", m * args.lines // LINES_PER_PO, batch, prefect_home, prefect=prefect,
                          keep=args.keep))
    if args.also_document:
        m = max(args.multiples)
        rows.append(night(f"{m}x doc", m * args.lines // LINES_PER_PO, "document", prefect_home, prefect=prefect))
    empty = rows[0]
    head = (f"{'night':<8} {'lines':>8} {'POs':>6} {'MB':>5} {'wall s':>7} {'+empty s':>8} {'pyx12 s':>7} "
            f"{'ratio':>6} {'cpu s':>6} {'+cpu s':>6} {'pyx cpu':>7} {'cpu ratio':>9} {'RSS MB':>7} {'855 files':>9} "
            f"{'shipped':>7} {'856':>6} {'810':>6} "
            + " ".join(f"{s:>8}" for s in STAGES) + f" {'other':>7}")
    print(head)
    for r in rows:
        beyond, beyond_cpu = r["wall"] - empty["wall"], r["cpu"] - empty["cpu"]
        ratio = f"{beyond / r['pyx12']:6.1f}" if r["pyx12"] else f"{'-':>6}"
        cpu_ratio = f"{beyond_cpu / r['pyx12_cpu']:9.1f}" if r["pyx12_cpu"] else f"{'-':>9}"
        staged = sum(r["stages"].get(s, 0.0) for s in STAGES)
        print(f"{r['night']:<8} {r['lines']:>8,} {r['pos']:>6,} {r['mb']:>5.1f} {r['wall']:>7.2f} {beyond:>8.2f} "
              f"{r['pyx12']:>7.2f} {ratio} {r['cpu']:>6.1f} {beyond_cpu:>6.1f} {r['pyx12_cpu']:>7.2f} {cpu_ratio} "
              f"{r['peak_mb']:>7,.0f} "
              f"{r['files_855']:>9,} {r['shipped_pos']:>7,} {r['sent_856']:>6,} {r['sent_810']:>6,} "
              + " ".join(f"{r['stages'].get(s, 0.0):>8.2f}" for s in STAGES)
              + f" {r['wall'] - staged:>7.2f}")
    for r in rows[1:]:
        half = r["pos"] // 2 + r["pos"] % 2  # POs 0, 2, 4, ... ship
        ok = r["shipped_pos"] == r["to_ship"] == half and r["sent_856"] == r["sent_810"] == half
        print(f"{r['night']}: {r['shipped_pos']:,} of {r['pos']:,} POs shipped (half: {half:,}), "
              f"{r['sent_856']:,} 856s and {r['sent_810']:,} 810s sent: {'as expected' if ok else 'NOT half'}")
    print("decide stage, inside (s): " + "; ".join(
        f"{r['night']}: " + ", ".join(f"{s.split('.')[1]} {r['stages'].get(s, 0.0):.2f}" for s in DECIDE)
        for r in rows[1:]))
    print("the stages' own CPU (s); outside them: wall, orderbridge's CPU; the server's CPU (all night): " + "; ".join(
        f"{r['night']}: " + ", ".join(f"{s} {r['stage_cpu'].get(s, 0.0):.2f}" for s in STAGES)
        + f"; outside {r['wall'] - sum(r['stages'].get(s, 0.0) for s in STAGES):.2f} s wall, "
        f"{r['cpu'] - r['server_cpu'] - sum(r['stage_cpu'].get(s, 0.0) for s in STAGES):.2f} s cpu, "
        f"server {r['server_cpu']:.2f} s cpu" for r in rows))
    print("orderbridge's own memory when each stage ended, resident / peak so far (MB): " + "; ".join(
        f"{r['night']}: " + ", ".join(f"{s} {r['memory'][s][0]}/{r['memory'][s][1]}" for s in STAGES
                                      if s in r["memory"]) for r in rows[1:]))
    sized = [r for r in rows[1:] if not r["night"].endswith("doc")]
    if sized:
        per = [(r["wall"] - empty["wall"]) / (r["lines"] / args.lines) for r in sized]
        print("volume cost per 1x (" + f"{args.lines:,} lines): " + ", ".join(
            f"{r['night']} {p:.2f} s" for r, p in zip(sized, per, strict=True))
              + f"  (4x/1x per-line ratio {per[-1] / per[0]:.2f})" if len(per) > 1 else "")
    print("+empty / +cpu: beyond the empty night; ratio = +empty / pyx12 s (wall), cpu ratio = +cpu / pyx12's cpu;"
          " RSS = peak of the process tree (orderbridge and its Prefect server).")
    print("shipped = POs on the east DC's shipments; 856 / 810 = transaction sets delivered to the outbox; ship and "
          "invoice = the stages' own times.")
    print("'other' = wall - the stages: interpreter, imports, Prefect's server start and task bookkeeping.")
    print(json.dumps({"night": [{k: v for k, v in r.items()} for r in rows]}, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
