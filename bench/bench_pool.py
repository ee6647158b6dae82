"""The night against a running Prefect server with partners sharded across workers (flows.pool): a
Prefect server (PostgreSQL-backed when PostgreSQL's binaries are installed: the tests' private server,
tests/support_pg.py; else Prefect's SQLite), a process work pool and one, then two `orderbridge worker`
processes (each running up to --worker-limit flow runs at once, the pool's concurrency limit set to
their sum by --pool-limit); `orderbridge run --pool` on an empty night (its fixed cost: partners with
nothing to do get no flow run; a first night of one PO per partner with each set of workers, not
counted, creates the deployment and the workers' first flow runs, after their start) and on 1x, 2x
and 4x of 200,000 order lines split evenly over --partners partners like ACME and no other (bench/night.py:
20 lines per PO, 500 POs per file), state store on the same PostgreSQL. For each: wall time, wall
minus the empty night, pyx12's X12Reader merely iterating the same inbox files (ratio = wall / pyx12;
+ratio = (wall - empty) / pyx12), and the peak RSS of the nightly process tree and of the workers'
trees (their flow runs), sampled every 50 ms. The CPU seconds each side used during the night (the
machine is shared: wall times stretch with its load, CPU much less): the nightly process (`run`), the
workers and their flow runs (`workers`), the Prefect server (`server`) and PostgreSQL (`pg`), each
its process tree's user + system time, the children it reaped included; and each stage's own wall and
CPU seconds (ORDERBRIDGE_STAGE_TIMES, flows.timing: intake and deliver on the workers, the run-wide
stages in the nightly process). Every process it starts is stopped by its PID.
Measured, never asserted.

    .venv/bin/python bench/bench_pool.py [--lines 200000] [--multiples 1 2 4] [--workers 1 2] [--partners 4]
                                         [--log DIR] [--pg-stats DIR] [--keep DIR]

--pg-stats DIR (with PostgreSQL) starts PostgreSQL with pg_stat_statements and writes, per night, to
DIR/<workers>w-<night>-pg.txt: PostgreSQL's CPU per database (its backends' CPU, sampled from /proc every
20 ms by the database their process title names: `orderbridge` is the state store's, `prefect` the Prefect
server's; `(server)` the postmaster and its helpers, `(autovacuum)` its workers; a backend no sample saw
is missed: the side's process-tree figure, `pg`, counts it), sessions opened, each statement shape's calls,
time and rows (pg_stat_statements, top-level statements, per database), the rows each table gained,
changed and lost (pg_stat_user_tables: what the night made Prefect store), and the Prefect server's HTTP
requests (its access log) by method and path shape. Also printed in short.

--log DIR keeps, per night, the run's progress lines and its flow runs' times as the server has them
(created, started, ended, seconds from the night's start) in DIR/<workers>w-<night>.log, and the
workers' output in DIR/worker-*.log: where a night's wall time goes.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_night import TreePeak, tree  # noqa: E402
from bench.night import LINES_PER_PO, clone_acme, drop, prepare, pyx12_read  # noqa: E402
from flows.prefect_api import free_port, stop_group  # noqa: E402

CLOCK = "2026-11-27T02:00:00"
WORK = ROOT / ".bench" / "pool"
POOL = "orderbridge-bench"
BIN = Path(sys.executable).parent
PG_STATS = {"shared_preload_libraries": "pg_stat_statements", "pg_stat_statements.track": "top",
            "pg_stat_statements.max": "20000", "track_functions": "none"}


def tree_cpu(root: int) -> float:
    """CPU seconds (user + system) ``root`` and its live descendants used, with the children each of them
    waited for (a worker's finished flow runs, PostgreSQL's ended backends)."""
    return sum(tree(root, reaped=True)[1].values())


class PgCpu(threading.Thread):
    """PostgreSQL's backends' CPU seconds by database, sampled from /proc every ``every`` seconds: each
    child of the postmaster whose process title is "postgres: USER DATABASE ..." counts for DATABASE
    (a backend serves one database for its life), from its CPU when first seen (0 if it started after
    ``since``) to when last seen."""

    def __init__(self, postmaster: int, every: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.postmaster, self.every, self.done = postmaster, every, threading.Event()
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.db: dict[int, str] = {}
        self.look(initial=True)

    def look(self, initial: bool = False) -> None:
        tick = os.sysconf("SC_CLK_TCK")
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            pid = int(entry)
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
                if int(fields[1]) != self.postmaster:
                    continue
                cpu = (int(fields[11]) + int(fields[12])) / tick
                if self.db.get(pid, "(server)") == "(server)":  # (a backend just forked still has the
                    with open(f"/proc/{entry}/cmdline", "rb") as fh:  # postmaster's title: looked at again)
                        title = fh.read().decode(errors="replace").replace("\0", " ").split()
                    ours = len(title) > 2 and title[0] == "postgres:" and "process" not in title \
                        and "launcher" not in title
                    self.db[pid] = ("(autovacuum)" if title[1] == "autovacuum" else title[2]) if ours else "(server)"
                    self.first.setdefault(pid, cpu if initial else 0.0)
            except (OSError, IndexError, ValueError):
                continue
            self.last[pid] = cpu

    def run(self) -> None:
        while not self.done.wait(self.every):
            self.look()

    def by_database(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for pid, cpu in self.last.items():
            out[self.db[pid]] = out.get(self.db[pid], 0.0) + cpu - self.first[pid]
        return out


class PgStats:
    """What a night cost PostgreSQL and what it stored (bench_pool's --pg-stats): pg_stat_statements,
    pg_stat_database and pg_stat_user_tables of the state store's and Prefect's databases, read before and
    after the night, and the Prefect server's access log."""

    DATABASES = ("orderbridge", "prefect")

    def __init__(self, pg, server_log: Path) -> None:
        self.pg, self.server_log = pg, server_log
        pg.admin("CREATE EXTENSION IF NOT EXISTS pg_stat_statements", database="postgres")

    def _q(self, database: str, sql: str) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.pg.url(database), autocommit=True) as conn:
            return conn.execute(sql).fetchall()

    def _snapshot(self) -> dict:
        sessions = {db: row for db, *row in self._q("postgres", "SELECT datname, sessions, xact_commit, "
                                                                "xact_rollback FROM pg_stat_database")}
        tables = {db: {r[0]: r[1:] for r in self._q(db, "SELECT relname, sum(n_tup_ins), sum(n_tup_upd), "
                                                         "sum(n_tup_del) FROM pg_stat_user_tables GROUP BY relname")}
                  for db in self.DATABASES}
        return {"sessions": sessions, "tables": tables,
                "log_at": self.server_log.stat().st_size if self.server_log.exists() else 0}

    def begin(self) -> None:
        self._q("postgres", "SELECT pg_stat_statements_reset()")
        self.before = self._snapshot()
        self.cpu = PgCpu(self.pg.pid)
        self.cpu.start()

    def end(self, out: Path) -> str:
        """The night's figures written to ``out``; a short summary returned."""
        self.cpu.done.set()
        self.cpu.join()
        self.cpu.look()
        time.sleep(1.2)  # backends report their table counts at most once a second
        after = self._snapshot()
        cpu = self.cpu.by_database()
        statements = self._q("postgres", r"""
            SELECT d.datname, s.calls, round((s.total_exec_time + s.total_plan_time)::numeric, 1), s.rows,
                   round(s.total_plan_time::numeric, 1), regexp_replace(s.query, '\s+', ' ', 'g')
            FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
            WHERE d.datname <> 'postgres' ORDER BY 3 DESC""")
        lines = ["PostgreSQL backends' CPU s by database (sampled): " + ", ".join(
            f"{db} {c:.2f}" for db, c in sorted(cpu.items(), key=lambda kv: -kv[1]))]
        lines += ["backends seen (database: CPU s of each, largest first): " + "; ".join(
            f"{db}: " + " ".join(f"{c:.2f}" for c in sorted((self.cpu.last[p] - self.cpu.first[p] for p in self.cpu.db
                                                            if self.cpu.db[p] == db), reverse=True))
            for db in sorted(set(self.cpu.db.values())))]
        summary = [lines[0]]
        for db in self.DATABASES:
            b, a = self.before["sessions"].get(db, (0, 0, 0)), after["sessions"].get(db, (0, 0, 0))
            mine = [r for r in statements if r[0] == db]
            total_ms = sum(float(r[2]) for r in mine)
            head = (f"{db}: {a[0] - b[0]} sessions, {a[1] - b[1]} commits, {a[2] - b[2]} rollbacks, "
                    f"{sum(r[1] for r in mine)} statements, {total_ms / 1000:.2f} s in statements")
            lines += ["", head, f"{'calls':>7} {'ms':>9} {'rows':>9} {'plan ms':>8}  statement"]
            lines += [f"{r[1]:>7} {float(r[2]):>9.1f} {r[3]:>9} {float(r[4]):>8.1f}  {r[5][:400]}" for r in mine]
            tb, ta = self.before["tables"][db], after["tables"][db]
            grown = {t: tuple(int(x or 0) - int(y or 0) for x, y in zip(v, tb.get(t, (0, 0, 0)), strict=True))
                     for t, v in ta.items()}
            grown = {t: v for t, v in grown.items() if any(v)}
            lines += ["", f"{db} tables: rows inserted / updated / deleted"]
            lines += [f"  {t:<40} {i:>8} {u:>8} {d:>8}"
                      for t, (i, u, d) in sorted(grown.items(), key=lambda kv: -kv[1][0])]
            summary.append(head + "; rows inserted: " + ", ".join(
                f"{t} {v[0]}" for t, v in sorted(grown.items(), key=lambda kv: -kv[1][0])[:8]))
        requests: dict[str, int] = {}
        if self.server_log.exists():
            with self.server_log.open("rb") as fh:
                fh.seek(self.before["log_at"])
                for line in fh.read().decode(errors="replace").splitlines():
                    m = re.search(r'"(GET|POST|PATCH|PUT|DELETE) (\S+) HTTP', line)
                    if m:
                        shape = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "{id}",
                                       m.group(2).split("?")[0])
                        key = f"{m.group(1)} {shape}"
                        requests[key] = requests.get(key, 0) + 1
        lines += ["", f"Prefect server HTTP requests: {sum(requests.values())}"]
        lines += [f"  {n:>6}  {k}" for k, n in sorted(requests.items(), key=lambda kv: -kv[1])]
        summary.append(f"HTTP requests {sum(requests.values())}: " + ", ".join(
            f"{k} {n}" for k, n in sorted(requests.items(), key=lambda kv: -kv[1])[:8]))
        out.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return "\n".join(summary)


def start_prefect(pg, home: Path, log: Path | None = None) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_UI_ENABLED": "false", "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    if log is not None:  # its access log (uvicorn's, at INFO): the requests PgStats counts
        env["PREFECT_SERVER_LOGGING_LEVEL"] = "INFO"
    if pg is not None:
        pg.admin("CREATE DATABASE prefect", database="postgres")
        password = pg.passfile.read_text().strip().rsplit(":", 1)[1]
        env["PREFECT_API_DATABASE_CONNECTION_URL"] = (f"postgresql+asyncpg://orderbridge:{password}@127.0.0.1:"
                                                      f"{pg.port}/prefect")
    from tests.support_prefect import start_prefect_server

    try:
        return start_prefect_server(env, free_port(), 240, log=log)
    except AssertionError as e:
        raise SystemExit(f"the Prefect server did not start: {e}") from None


def workspace(label: str, n_pos: int, partners: int, pg) -> Path:
    """ACME and ``partners - 1`` partners like it, ``n_pos`` POs split evenly over them."""
    ws = WORK / label
    prepare(ws, 0)
    for profile in (ws / "partners").glob("*.toml"):  # the demo's other partners would only add empty flow runs
        if profile.stem != "acme":
            profile.unlink()
    names = ["acme", *(f"acme{i}" for i in range(2, partners + 1))]
    for name in names[1:]:
        clone_acme(ws, name)
    for i, name in enumerate(names):
        share = n_pos // partners + (1 if i < n_pos % partners else 0)
        if share:
            drop(ws, share, partner=name)
    if pg is not None:
        (ws / "workspace.toml").write_text(f'[state]\nurl = "{pg.fresh_url()}"\n')
    return ws


def night(label: str, n_pos: int, partners: int, pg, env: dict, workers: list[subprocess.Popen],
          slots: int, log: Path | None = None, server: subprocess.Popen | None = None,
          stats: PgStats | None = None, stats_out: Path | None = None, keep: Path | None = None) -> dict:
    ws = workspace(label, n_pos, partners, pg)
    inbox = sorted(ws.glob("drop/*/inbox/*.x12"))
    px_wall, px_cpu = pyx12_read(inbox)[:2] if inbox else (0.0, 0.0)
    cmd = [str(BIN / "orderbridge"), "run", "-w", str(ws), "--now", CLOCK, "--pool", POOL, "--pool-limit", str(slots)]
    times = Path(env["ORDERBRIDGE_STAGE_TIMES"])  # the workers' flow runs append to it too
    times.unlink(missing_ok=True)
    peaks = [TreePeak(w.pid) for w in workers]
    for p in peaks:
        p.start()
    sides = {"workers": [w.pid for w in workers], "server": [server.pid] if server else [],
             "pg": [pg.pid] if pg is not None else []}
    cpu_before = {k: sum(tree_cpu(pid) for pid in pids) for k, pids in sides.items()}
    run_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    if stats is not None:
        stats.begin()
    wall, began = time.perf_counter(), time.time()
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    parent = TreePeak(proc.pid)
    parent.start()
    try:
        out, _ = proc.communicate()
    finally:
        if proc.poll() is None:  # interrupted: the night goes with the bench
            proc.kill()
            proc.wait()
    wall = time.perf_counter() - wall
    run_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    time.sleep(0.3)  # the flow runs' processes reaped by their worker
    cpu = {k: sum(tree_cpu(pid) for pid in pids) - cpu_before[k] for k, pids in sides.items()}
    cpu["run"] = (run_after.ru_utime - run_before.ru_utime) + (run_after.ru_stime - run_before.ru_stime)
    if stats is not None and stats_out is not None:
        print(f"  --- {label}: PostgreSQL (details in {stats_out})\n" + stats.end(stats_out), flush=True)
    stages: dict[str, list[float]] = {}
    for line in times.read_text().splitlines() if times.exists() else []:
        row = json.loads(line)
        if "." not in row["stage"]:  # decide.load etc. are inside decide
            got = stages.setdefault(row["stage"], [0.0, 0.0])
            got[0] += row["seconds"]
            got[1] += row.get("cpu", 0.0)
    if log is not None:
        log.write_text(out + _flow_runs(env["PREFECT_API_URL"], began, wall), encoding="utf-8")
    for p in (parent, *peaks):
        p.done.set()
        p.join()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"orderbridge run --pool failed ({proc.returncode}):\n{out[-3000:]}")
    acknowledged = _acknowledged(ws)
    if acknowledged != n_pos:
        raise SystemExit(f"{label}: {acknowledged} of {n_pos} orders acknowledged:\n{out[-3000:]}")
    if keep is not None:  # its outboxes and reports, for bench/digest.py (the state store stays on PostgreSQL)
        shutil.rmtree(keep, ignore_errors=True)
        shutil.move(ws, keep)
    shutil.rmtree(ws, ignore_errors=True)
    return {"night": label, "pos": n_pos, "lines": n_pos * LINES_PER_PO, "wall": wall, "pyx12": px_wall,
            "pyx12_cpu": px_cpu, "cpu": cpu, "stages": stages,
            "parent_mb": parent.peak / 2**20, "workers_mb": max((p.peak for p in peaks), default=0) / 2**20}


def _flow_runs(url: str, began: float, wall: float) -> str:
    """The flow runs the server holds that were created since ``began`` (epoch seconds): when each was
    created, started and ended, in seconds from the night's start."""
    from datetime import datetime

    req = urllib.request.Request(url + "/flow_runs/filter", data=json.dumps({"limit": 200}).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        runs = json.loads(r.read())

    def at(value: str | None) -> float | None:
        return None if value is None else datetime.fromisoformat(value).timestamp() - began

    rows = [(at(r["created"]), at(r["start_time"]), at(r["end_time"]), r["name"], r["state_name"]) for r in runs]
    rows = sorted((r for r in rows if r[0] is not None and r[0] >= -1), key=lambda r: r[0])
    lines = [f"--- flow runs (s from the night's start; wall {wall:.1f} s)"]
    lines += [f"{name:<30} {state:<10} created {c:6.1f} started {'-' if s is None else f'{s:6.1f}'} "
              f"ended {'-' if e is None else f'{e:6.1f}'}" for c, s, e, name, state in rows]
    return "\n".join(lines) + "\n"


def _acknowledged(ws: Path) -> int:
    from connectors.state import StateStore
    from flows.workspace import open_workspace

    state = StateStore(open_workspace(ws).state_url)
    try:
        return state._q("SELECT COUNT(*) FROM orders WHERE state='acknowledged'")[0][0]
    finally:
        state.close()


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=200_000, help="order lines at 1x (default 200,000)")
    ap.add_argument("--multiples", type=int, nargs="+", default=[1, 2, 4])
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--partners", type=int, default=4, help="partners the lines are split over (default 4)")
    ap.add_argument("--worker-limit", type=int, default=2, help="flow runs at once per worker (default 2)")
    ap.add_argument("--no-fork-server", action="store_true", help="workers without their fork server (each "
                    "flow run starts Python afresh: `orderbridge worker --no-fork-server`)")
    ap.add_argument("--log", type=Path, default=None, help="keep each night's progress lines, its flow runs' "
                    "times and the workers' output in this folder")
    ap.add_argument("--pg-stats", type=Path, default=None, help="PostgreSQL's statements, CPU by database, rows "
                    "stored and the Prefect server's requests, per night, in this folder")
    ap.add_argument("--keep", type=Path, default=None, help="keep each counted night's workspace (outboxes, "
                    "reports) in this folder, for bench/digest.py")
    args = ap.parse_args(argv)
    for folder in (args.log, args.pg_stats, args.keep):
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    pg = None
    try:
        from tests.support_pg import pg_bin, start_server

        pg = start_server(PG_STATS if args.pg_stats else None) if pg_bin() is not None else None
    except ImportError:
        pass
    server, stats = None, None
    rows = []
    try:
        server, url = start_prefect(pg, WORK / "prefect-home", args.pg_stats / "server.log" if args.pg_stats else None)
        if args.pg_stats and pg is not None:
            stats = PgStats(pg, args.pg_stats / "server.log")
        env = {**os.environ, "PREFECT_API_URL": url, "PREFECT_HOME": str(WORK / "prefect-home"),
               "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_WORKER_QUERY_SECONDS": "1",
               "PYTHONPATH": str(ROOT), "ORDERBRIDGE_STAGE_TIMES": str(WORK / "stage-times.jsonl")}
        print(f"orderbridge run --pool, {args.partners} partners, {LINES_PER_PO} lines per PO; Prefect server on "
              f"{'PostgreSQL' if pg else 'SQLite'}, state store on {'PostgreSQL' if pg else 'SQLite'}; "
              f"{args.worker_limit} flow runs at once per worker"
              f"{' (no fork server)' if args.no_fork_server else ''}; clock {CLOCK}", flush=True)
        for n_workers in args.workers:
            slots = n_workers * args.worker_limit  # the pool's concurrency limit: every worker's flow runs
            workers = [subprocess.Popen([str(BIN / "orderbridge"), "worker", "--pool", POOL, "--limit",
                                         str(args.worker_limit), "--name", f"bench-{n_workers}-{i + 1}",
                                         *(["--no-fork-server"] if args.no_fork_server else [])],
                                        env=env, cwd=WORK, stderr=subprocess.STDOUT, start_new_session=True,
                                        stdout=(args.log / f"worker-{n_workers}-{i + 1}.log").open("wb")
                                        if args.log else subprocess.DEVNULL) for i in range(n_workers)]
            logs = {label: args.log / f"{n_workers}w-{label}.log" if args.log else None
                    for label in ["warm-up", "empty", *(f"{m}x" for m in args.multiples)]}
            try:
                # the deployment, the workers' start and their first flow runs (a PO each): not counted
                night("warm-up", args.partners, args.partners, pg, env, workers, slots, logs["warm-up"], server)
                found = [night("empty", 0, args.partners, pg, env, workers, slots, logs["empty"], server, stats,
                               args.pg_stats and args.pg_stats / f"{n_workers}w-empty-pg.txt")]
                for m in args.multiples:
                    found.append(night(f"{m}x", m * args.lines // LINES_PER_PO, args.partners, pg, env, workers,
                                       slots, logs[f"{m}x"], server, stats,
                                       args.pg_stats and args.pg_stats / f"{n_workers}w-{m}x-pg.txt",
                                       args.keep and args.keep / f"{n_workers}w-{m}x"))
                    print(f"  ({n_workers} worker(s), {m}x done: {found[-1]['wall']:.1f} s)", flush=True)
            finally:
                for w in workers:
                    stop_group(w)
            rows += [{**r, "workers": n_workers, "empty": found[0]["wall"]} for r in found]
    finally:
        if server is not None:
            stop_group(server)
        if pg is not None:
            pg.stop()
    print(f"{'workers':>7} {'night':<6} {'lines':>9} {'wall s':>7} {'+empty s':>8} {'pyx12 s':>7} {'ratio':>6} "
          f"{'+ratio':>6} {'run MB':>7} {'worker MB':>9}")
    for r in rows:
        extra = r["wall"] - r["empty"]
        ratio = f"{r['wall'] / r['pyx12']:6.1f}" if r["pyx12"] else f"{'-':>6}"
        plus = f"{extra / r['pyx12']:6.1f}" if r["pyx12"] else f"{'-':>6}"
        print(f"{r['workers']:>7} {r['night']:<6} {r['lines']:>9,} {r['wall']:>7.1f} {extra:>8.1f} {r['pyx12']:>7.1f} "
              f"{ratio} {plus} {r['parent_mb']:>7.0f} {r['workers_mb']:>9.0f}")
    print("CPU s during each night (process trees): run = the nightly process, workers = the workers and their flow "
          "runs, server = Prefect's, pg = PostgreSQL; pyx12's CPU; then each stage's wall / CPU s (summed over "
          "partners and flow runs)")
    for r in rows:
        c = r["cpu"]
        print(f"{r['workers']:>7} {r['night']:<6} run {c['run']:5.1f} workers {c['workers']:5.1f} server "
              f"{c['server']:5.1f} pg {c['pg']:5.1f} all {sum(c.values()):5.1f} pyx12 {r['pyx12_cpu']:4.1f} | "
              + ", ".join(f"{s} {w:.1f}/{u:.1f}" for s, (w, u) in r["stages"].items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
