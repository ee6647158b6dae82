"""One stage of the bench night in-process, on a copy of a prepared workspace, timed or profiled:
`prepare` runs bench/night.py's workspace (delivery.batch "run") through intake, decide and delivery
once and keeps a copy after each stage; `decide`, `reconcile` and `reports` then start from the copy
before them, so a stage can be timed again and again on the same inputs (`reconcile` from the copy
after decide, ship, invoice and delivery: half the POs shipped and invoiced, the night's real input;
`invoice` from a copy after the ship stage alone; `deliver` from the copy after decide, shipped and
invoiced once and kept, as the night delivers). `ship` starts from the copy after decide and
delivery, drops the east DC's confirmations for half of the POs (bench/night.py; older than the drop's
settle time, as the night's ship stage finds them: _dropped) and runs the night's ship stage (856s) then its
invoice stage (810s), as the night does. Profiling is cProfile in CPU time (a .prof file for pstats/snakeviz)
when --prof names a file. Arrow's memory pool is the system's, as `orderbridge` runs
(flows.memory.use_system_allocator). Prints one JSON line; tests never use it.

    .venv/bin/python bench/profile_stage.py prepare 10000
    .venv/bin/python bench/profile_stage.py reconcile 10000 [--prof /tmp/rec.prof] [--repeat 3] [--late 20] [--steps]
      (--late DAYS: reconciled DAYS days after the night, its unshipped lines late: ~120,000 exceptions at 20;
       --steps: each step's CPU s, peak and resident MB after it (Linux: the peak reset at each step's ends);
       --handed: as the night, its lines read with the report's columns and handed on: flows.reconcile hand_on)
    .venv/bin/python bench/profile_stage.py reports 10000 [--handed]
      (--handed: as the night, from the copy before reconcile, reconciled untimed with its lines handed on)
    .venv/bin/python bench/profile_stage.py ship 10000 [--prof /tmp/ship.prof] [--wall] [--steps]
      (--wall: the profile in wall time, to find waits: fsyncs, the store's commits; --steps: as reconcile's,
       flows.shipments' steps, the planners' and the store's writes, each call inside another named after it)
      (--handed: from the copy after intake, decide run first, untimed, on its own connection in this process, its
       lines and reservations kept by the store's write version as the night keeps them (connectors.store_versions):
       the ship stage takes them; --decided: the same without keeping, the figure to compare --handed with)
    .venv/bin/python bench/profile_stage.py invoice 10000 [--prof /tmp/inv.prof] [--steps]  (from a copy after ship)
    .venv/bin/python bench/profile_stage.py intake 10000 [--prof /tmp/intake.prof]
    .venv/bin/python bench/profile_stage.py decide 10000 [--prof /tmp/decide.prof] [--handed]
      (--handed: from the copy before intake, intake run first, untimed, in the same process: decide takes what
       intake handed on in memory, as in `orderbridge run`)
    .venv/bin/python bench/profile_stage.py deliver 10000 [--prof /tmp/deliver.prof] [--settle 90]
    .venv/bin/python bench/profile_stage.py pg 10000 [--prof /tmp/pg] [--repeat 2] [--dump /tmp/pgdump] [--ship|--night]
        (intake, then decide, on PostgreSQL)
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

NOW = datetime(2026, 11, 27, 2)
RUN = "bench"


def _base(n_pos: int, after: str) -> Path:
    return ROOT / ".bench" / f"stage-{n_pos}" / after


def prepare(n_pos: int) -> dict:
    from bench.night import prepare as make
    from connectors.local import LocalDrop
    from connectors.reference import load_reference
    from connectors.state import StateStore
    from flows import steps
    from flows.workspace import open_workspace

    work = ROOT / ".bench" / f"stage-{n_pos}" / "work"
    make(work, n_pos, batch="run")
    _keep(work, _base(n_pos, "fresh"))
    ws = open_workspace(work)
    profiles = ws.partners()
    state = StateStore(ws.state_url)
    steps.intake_partner(ws, profiles["acme"], state, LocalDrop(ws.drop_root / "acme"), now=NOW, run_id=RUN)
    state.close()
    _keep(work, _base(n_pos, "intake"))
    state = StateStore(ws.state_url)
    steps.decide_run(ws, profiles, state, load_reference(ws.reference_dir), steps.load_inventory(ws, NOW.date()),
                     now=NOW, run_id=RUN, use_gx=True)
    state.close()
    _keep(work, _base(n_pos, "decide"))  # `deliver` ships and invoices from here, as the night does
    for stale in ("shipped", "billed"):  # kept once from an earlier prepare: made again when asked
        shutil.rmtree(_base(n_pos, stale), ignore_errors=True)
    state = StateStore(ws.state_url)
    steps.deliver_partner(profiles["acme"], state, LocalDrop(ws.drop_root / "acme"), now=NOW)
    state.close()
    _keep(work, _base(n_pos, "deliver"))
    _keep(_base(n_pos, "decide"), work)  # the night's order: ship and invoice, then one delivery
    _ship_and_invoice(work, n_pos, LocalDrop)
    _keep(work, _base(n_pos, "night"))
    state = StateStore(ws.state_url)
    steps.reconcile_run(ws, profiles, state, now=NOW, run_id=RUN)
    state.close()
    _keep(work, _base(n_pos, "reconcile"))
    return {"prepared": n_pos}


def _ship_and_invoice(work: Path, n_pos: int, drop) -> None:
    """Half the POs shipped (856s) and invoiced (810s), then everything delivered, as the night does."""
    from connectors.reference import load_reference
    from connectors.state import StateStore
    from flows import shipments, steps
    from flows.workspace import open_workspace

    _dropped(work, n_pos)
    ws = open_workspace(work)
    profiles, ref = ws.partners(), load_reference(ws.reference_dir)
    state = StateStore(ws.state_url)
    east = ws.warehouses()["east"]
    shipments.ship_warehouse(ws, east, profiles, state, shipments.warehouse_drops(ws)(east), ref, now=NOW, run_id=RUN)
    shipments.invoice_run(ws, profiles, state, ref, now=NOW, run_id=RUN)
    steps.deliver_partner(profiles["acme"], state, drop(ws.drop_root / "acme"), now=NOW)
    state.close()


def _dropped(work: Path, n_pos: int) -> None:
    """bench/night.py's confirmations in the east DC's inbox, as the night's ship stage finds them: dropped before
    the run, so older than the drop's settle_seconds (2 s by default) when intake and decide have run. Written just
    now, the stage's first listing would wait settle_seconds for them to settle (connectors.local.LocalDrop.list):
    a sleep the night does not have, which the ship stage's wall time here counted as a wait of its own."""
    from bench.night import confirmations

    confirmations(work, n_pos)
    before = time.time() - 60
    for path in (work / "warehouse-drop" / "east" / "inbox").iterdir():
        os.utime(path, (before, before))


def _keep(src: Path, dst: Path) -> None:
    shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(src, dst)


def _shipped(n_pos: int) -> None:
    """A copy after the ship stage alone (the invoice stage's input)."""
    from connectors.reference import load_reference
    from connectors.state import StateStore
    from flows import shipments
    from flows.workspace import open_workspace

    work = ROOT / ".bench" / f"stage-{n_pos}" / "work"
    _keep(_base(n_pos, "deliver"), work)
    _dropped(work, n_pos)
    ws = open_workspace(work)
    state = StateStore(ws.state_url)
    shipments.ship_warehouse(ws, ws.warehouses()["east"], ws.partners(), state,
                             shipments.warehouse_drops(ws)(ws.warehouses()["east"]), load_reference(ws.reference_dir),
                             now=NOW, run_id=RUN)
    state.close()
    _keep(work, _base(n_pos, "shipped"))


def _billed(n_pos: int) -> None:
    """The night's state before its delivery, kept once: the copy after decide, shipped and invoiced."""
    from connectors.reference import load_reference
    from connectors.state import StateStore
    from flows import shipments
    from flows.workspace import open_workspace

    work = ROOT / ".bench" / f"stage-{n_pos}" / "work"
    _keep(_base(n_pos, "decide"), work)
    _dropped(work, n_pos)
    ws = open_workspace(work)
    profiles, ref = ws.partners(), load_reference(ws.reference_dir)
    state = StateStore(ws.state_url)
    shipments.ship_warehouse(ws, ws.warehouses()["east"], profiles, state,
                             shipments.warehouse_drops(ws)(ws.warehouses()["east"]), ref, now=NOW, run_id=RUN)
    shipments.invoice_run(ws, profiles, state, ref, now=NOW, run_id=RUN)
    state.close()
    _keep(work, _base(n_pos, "billed"))


def stage(name: str, n_pos: int, prof: str | None, settle: float = 0.0, late: int = 0, by_step: bool = False,
          wall: bool = False, handed: bool = False, decided: bool = False) -> dict:
    if name == "deliver" and not _base(n_pos, "billed").exists():
        _billed(n_pos)
    before = {"intake": "fresh", "decide": "intake", "ship": "deliver", "invoice": "shipped", "deliver": "billed",
              "reconcile": "night", "reports": "night" if handed else "reconcile"}[name] \
        if not (handed and name == "decide") else "fresh"
    if name == "ship" and (handed or decided):
        before = "intake"
    work = ROOT / ".bench" / f"stage-{n_pos}" / "work"
    if name == "invoice" and not _base(n_pos, before).exists():  # the ship stage's outcome, kept once
        _shipped(n_pos)
    _keep(_base(n_pos, before), work)
    if settle:  # the copy's deletions out of the way: ext4 skips recently freed inodes one by one at each new file
        os.sync()
        time.sleep(settle)
    return _run(name, work, n_pos, prof, late=late, by_step=by_step, wall=wall, handed=handed, decided=decided)


class _Steps:
    """Each step of the reconciliation (flows.reconcile's and the store's calls it makes) timed in CPU, its
    peak resident memory (VmHWM, set back to the resident size at each step's start and end through
    /proc/self/clear_refs: Linux only) and the resident memory after it; a step called inside another is
    named after it (write_cumulative/write_reports), its repeated calls summed."""

    STAGE = ("load_inputs", "match_acks", "reconcile", "write_reports", "write_cumulative", "build_finance_report",
             "compute_kpis", "with_exceptions", "render_html", "_document_rows", "_order_tables", "stored_sacs",
             "changed_sacs", "_with_csv_acks", "write_csv")
    STORE = ("record_document_status", "stored_exceptions", "exception_snapshot", "save_reconciliation",
             "exception_evidence", "exception_history_table", "finance_orders", "finance_lines",
             "fulfilment_and_amounts", "sent_sets_of", "sent_documents")
    # the sides and the documents' rows load_inputs builds (s56: the stage's CPU is spread over ~25 steps of
    # 0.01-0.27 s; these name the larger ones)
    INPUTS = ("answer_rows", "invoice_rows", "ordered", "acknowledged", "shipped", "invoiced", "line_echoes",
              "requested_dates", "sent_sets")

    # the ship stage (856s, then 810s: `ship` and `invoice`): flows.shipments' steps, the planners' and the store's
    SHIP = ("read_confirmations", "key_confirmations", "_canonical", "_recorded", "_ship_file", "_invoice_run",
            "_balances_cancelled", "_po_sacs")
    SHIP_STORE = ("line_table_for", "reservation_table_for", "orders_with_po", "recorded_cartons_for", "apply",
                  "billing_shipments", "billing_lines", "billing_orders", "_write_shipments", "_update_lines",
                  "_write_lines", "_store_documents", "_write_invoices", "_write_events", "_write_decided_orders",
                  "_write_reservations")
    PLANNERS = ("prepare_shipments", "plan_shipments", "line_state_table", "prepare_invoices", "plan_invoices",
                "invoices_due", "shipment_units", "shipments_to_bill")

    def __init__(self, stage_name: str = "reconcile") -> None:
        from connectors.state import StateStore

        self.open: list[dict] = []
        self.rows: dict[str, dict] = {}
        if stage_name in ("ship", "invoice"):
            from engine import lifecycle
            from engine.lifecycle import billing, shipping
            from flows import shipments

            owners = [(shipments, self.SHIP), (shipments.CheckedRender, ("verify",)), (StateStore, self.SHIP_STORE),
                      (lifecycle, ("batch_documents",))]
            owners += [(m, [n for n in self.PLANNERS if hasattr(m, n)]) for m in (shipping, billing)]
        else:
            from engine import exception_states, finance_inputs
            from flows import reconcile as stage

            owners = [(stage, self.STAGE), (StateStore, self.STORE), (exception_states, ("book",)),
                      (finance_inputs, self.INPUTS)]
        for owner, names in owners:
            for name in names:
                setattr(owner, name, self._wrap(name, getattr(owner, name)))

    def shown(self) -> dict[str, dict]:
        """The steps, each one's CPU seconds rounded (summed unrounded: a step called 10 times at ~0.01 s each)."""
        return {name: {**row, "cpu_s": round(row["cpu_s"], 3)} for name, row in self.rows.items()}

    @staticmethod
    def _memory() -> tuple[int, int]:
        fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
        return int(fields["VmRSS"].split()[0]) // 1024, int(fields["VmHWM"].split()[0]) // 1024

    def _edge(self) -> int:
        """The resident MB now, the peak since the last edge given to every open step, the peak set back."""
        now, peak = self._memory()
        for step in self.open:
            step["peak_mb"] = max(step["peak_mb"], peak)
        Path("/proc/self/clear_refs").write_text("5")
        return now

    def _wrap(self, name: str, call):
        def step(*a, **kw):
            now = self._edge()
            self.open.append({"name": "/".join([*(s["name"].rsplit("/", 1)[-1] for s in self.open), name]),
                              "peak_mb": now, "cpu": time.process_time()})
            try:
                return call(*a, **kw)
            finally:
                after = self._edge()
                done = self.open.pop()
                row = self.rows.setdefault(done["name"], {"calls": 0, "cpu_s": 0.0, "peak_mb": 0, "rss_after_mb": 0})
                row["calls"] += 1
                row["cpu_s"] += time.process_time() - done["cpu"]  # (rounded once, when shown: rows())
                row["peak_mb"], row["rss_after_mb"] = max(row["peak_mb"], done["peak_mb"]), after
        return step


def _run(name: str, work: Path, n_pos: int, prof: str | None, *, wall: bool = False, late: int = 0,
         by_step: bool = False, handed: bool = False, decided: bool = False) -> dict:
    """Stage ``name`` timed (and profiled into ``prof``, in CPU time or with ``wall`` in wall time) on
    the workspace ``work`` as it stands; ``late``: reconcile that many days after the night; ``by_step``:
    the reconciliation's steps timed and their memory measured (_Steps)."""
    from connectors.reference import load_reference
    from connectors.state import StateStore
    from flows import steps
    from flows.workspace import open_workspace

    times = work / "stage-times.jsonl"
    times.unlink(missing_ok=True)
    os.environ["ORDERBRIDGE_STAGE_TIMES"] = str(times)
    ws = open_workspace(work)
    profiles = ws.partners()
    state = StateStore(ws.state_url)
    probe = None
    if name == "intake":
        from connectors.local import LocalDrop

        def call():
            return steps.intake_partner(ws, profiles["acme"], state, LocalDrop(ws.drop_root / "acme"), now=NOW,
                                        run_id=RUN)
    elif name == "decide":
        if handed:  # intake first, untimed, in this process: decide takes the tables it stored (flows.night)
            from connectors.local import LocalDrop
            from connectors.order_store import handed_on

            kept = handed_on()
            kept.__enter__()  # (left to the process's end)
            steps.intake_partner(ws, profiles["acme"], state, LocalDrop(ws.drop_root / "acme"), now=NOW, run_id=RUN)
        steps.load_inventory(ws, NOW.date())
        from flows import warm
        from rules import gx_runner  # noqa: F401 - imports are not the stage's cost

        warm._import_rules_engine()  # as `orderbridge run` does while Prefect's server starts

        def call():
            return steps.decide_run(ws, profiles, state, load_reference(ws.reference_dir),
                                    steps.load_inventory(ws, NOW.date()), now=NOW, run_id=RUN, use_gx=True)
    elif name == "ship":
        from flows import shipments
        from flows.timing import timed

        ref = load_reference(ws.reference_dir)
        if handed or decided:  # decide first (untimed), on its own connection, its tables kept when handed
            from connectors import store_versions
            from flows import warm

            held = store_versions.keeping()  # (referenced: a context collected unclosed would let go at once)
            if handed:
                held.__enter__()  # (left to the process's end)
            warm._import_rules_engine()
            deciding = StateStore(ws.state_url)
            steps.decide_run(ws, profiles, deciding, ref, steps.load_inventory(ws, NOW.date()), now=NOW, run_id=RUN,
                             use_gx=True)
            deciding.close()
        _dropped(work, n_pos)

        def call():  # as the night (flows.night._ship_and_invoice): the ship stage's order rows kept for invoicing
            with shipments.kept_for_invoicing():
                with timed("ship", "east"):
                    shipments.ship_warehouse(ws, ws.warehouses()["east"], profiles, state,
                                             shipments.warehouse_drops(ws)(ws.warehouses()["east"]), ref, now=NOW,
                                             run_id=RUN)
                with timed("invoice"):
                    shipments.invoice_run(ws, profiles, state, ref, now=NOW, run_id=RUN)
    elif name == "invoice":
        from flows import shipments

        ref = load_reference(ws.reference_dir)

        def call():
            return shipments.invoice_run(ws, profiles, state, ref, now=NOW, run_id=RUN)
    elif name == "deliver":
        from connectors.local import LocalDrop

        def call():
            return steps.deliver_partner(profiles["acme"], state, LocalDrop(ws.drop_root / "acme"), now=NOW,
                                         run_id=RUN)
    elif name == "reconcile":
        from flows import warm

        warm._import_rules_engine()  # pandas, as the night has by then: imports are not the stage's cost
        probe = _Steps() if by_step else None

        def call():
            return steps.reconcile_run(ws, profiles, state, now=NOW + timedelta(days=late), run_id=RUN,
                                       hand_on=handed)
    else:
        from flows import warm

        warm._import_rules_engine()  # as for reconcile
        if handed:  # the night's reconciliation first (untimed), its lines handed on to the report
            steps.reconcile_run(ws, profiles, state, now=NOW, run_id=RUN, hand_on=True)

        def call():
            return steps.write_reports(ws, RUN, partners=sorted(profiles), handed_lines=handed)
    if name in ("ship", "invoice") and by_step:
        probe = _Steps(name)
    profiler = None
    if prof:
        import cProfile

        # CPU time: wall time on a shared machine misleads (but a PostgreSQL store works in its server)
        profiler = cProfile.Profile(time.perf_counter if wall else time.process_time)
        profiler.enable()
    rss_before = _Steps._memory()[0] if probe is not None else None
    wall, cpu, times0 = time.perf_counter(), time.process_time(), os.times()
    result = call()
    wall, cpu, times1 = time.perf_counter() - wall, time.process_time() - cpu, os.times()
    if profiler:
        profiler.disable()
        profiler.dump_stats(prof)
    state.close()
    inside: dict[str, float] = {}
    inside_cpu: dict[str, float] = {}
    for line in times.read_text().splitlines() if times.exists() else []:
        row = json.loads(line)
        inside[row["stage"]] = round(inside.get(row["stage"], 0.0) + row["seconds"], 3)
        inside_cpu[row["stage"]] = round(inside_cpu.get(row["stage"], 0.0) + row.get("cpu", 0.0), 3)
    return {"stage": name, "pos": n_pos, "wall": round(wall, 3), "cpu": round(cpu, 3),
            "user": round(times1.user - times0.user, 2), "sys": round(times1.system - times0.system, 2),
            "inside": inside, "inside_cpu": inside_cpu,
            "peak_rss_mb": max([round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                                *(r["peak_mb"] for r in probe.rows.values())] if probe else [
                round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)]),
            **({"exceptions": result.summary["exceptions"]} if name == "reconcile" else {}),
            **({"taken": dict(_taken())} if _taken() else {}),  # reads served from kept tables (store_versions)
            **({"rss_before_mb": rss_before, "steps": probe.shown()} if probe is not None else {})}


def _taken() -> dict[str, int]:
    from connectors import store_versions

    return store_versions.TAKEN


def _dump(pg, database: str, folder: Path) -> None:
    """Every table of ``database`` as CSV, its rows sorted by all their columns (a store to diff)."""
    import psycopg

    folder.mkdir(parents=True, exist_ok=True)
    with psycopg.connect(pg.url(database), autocommit=True) as conn:
        for (name,) in conn.execute("SELECT table_name FROM information_schema.tables WHERE table_schema ="
                                    " current_schema() ORDER BY table_name").fetchall():
            width = len(conn.execute(f"SELECT * FROM {name} LIMIT 0").description)
            with (folder / f"{name}.csv").open("wb") as out, conn.cursor().copy(
                    f"COPY (SELECT * FROM {name} ORDER BY {', '.join(map(str, range(1, width + 1)))})"
                    " TO STDOUT (FORMAT csv)") as copy:
                for block in copy:
                    out.write(block)


def on_postgres(n_pos: int, prof: str | None, repeat: int = 1, dump: str | None = None, *,
                ship: bool = False, night: bool = False) -> list[dict]:
    """Intake (from the copy 'fresh') then decide, ``repeat`` times, with the state store on a private
    PostgreSQL server (tests/support_pg, stopped at the end): each stage's workspace kept as a folder
    ('pg-intake') and its database as a template (stage_intake), so decide starts from the same inputs
    each time. Profiles (in wall time: the store's work is the server's) go to ``prof``-intake.prof and
    ``prof``-decide.prof; with ``dump``, every table after intake and after decide to ``dump``/intake and
    ``dump``/decide (CSV, sorted: stores to diff). With ``ship``, then delivery and the ship stage (856s and
    810s, as `ship` runs them; profiled to ``prof``-ship.prof, dumped to ``dump``/ship); with ``night`` (and
    ``ship``), then delivery, reconcile and reports (``prof``-reconcile.prof, -reports.prof; ``dump``/night)."""
    from tests.support_pg import start_server

    work = _base(n_pos, "pg-work")
    pg = start_server()
    try:
        def database(name: str, template: str = "") -> None:
            pg.admin(f"DROP DATABASE IF EXISTS {name}", database="postgres")
            pg.admin(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""), database="postgres")

        _keep(_base(n_pos, "fresh"), work)
        database("stage_work")
        (work / "workspace.toml").write_text(f'[state]\nurl = "{pg.url("stage_work")}"\n')
        out = [_run("intake", work, n_pos, f"{prof}-intake.prof" if prof else None, wall=True)]
        _keep(work, _base(n_pos, "pg-intake"))
        database("stage_intake", "stage_work")
        if dump:
            _dump(pg, "stage_work", Path(dump) / "intake")
        for _ in range(repeat):
            _keep(_base(n_pos, "pg-intake"), work)
            database("stage_work", "stage_intake")
            out.append(_run("decide", work, n_pos, f"{prof}-decide.prof" if prof else None, wall=True))
        if dump:
            _dump(pg, "stage_work", Path(dump) / "decide")
        if ship:  # then the night's delivery, and its ship stage (856s, then 810s)
            out.append(_run("deliver", work, n_pos, None))
            out.append(_run("ship", work, n_pos, f"{prof}-ship.prof" if prof else None, wall=True))
            if dump:
                _dump(pg, "stage_work", Path(dump) / "ship")
        if night:  # the rest of the night: delivery, reconciliation, the run's reports
            out.append(_run("deliver", work, n_pos, None))
            for name in ("reconcile", "reports"):
                out.append(_run(name, work, n_pos, f"{prof}-{name}.prof" if prof else None, wall=True))
            if dump:
                _dump(pg, "stage_work", Path(dump) / "night")
    finally:
        pg.stop()
    return out


def main(argv: list[str]) -> int:
    from flows.memory import use_system_allocator

    if len(argv) < 2 or not argv[1].isdigit() or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if argv[:1] in (["-h"], ["--help"]) else 2
    use_system_allocator()  # Arrow's memory pool as `orderbridge` (flows/cli.py) runs the stages
    name, n_pos = argv[0], int(argv[1])
    prof = argv[argv.index("--prof") + 1] if "--prof" in argv else None
    settle = float(argv[argv.index("--settle") + 1]) if "--settle" in argv else 0.0
    late = int(argv[argv.index("--late") + 1]) if "--late" in argv else 0
    if name == "pg":
        repeat = int(argv[argv.index("--repeat") + 1]) if "--repeat" in argv else 1
        dump = argv[argv.index("--dump") + 1] if "--dump" in argv else None
        night = "--night" in argv
        for row in on_postgres(n_pos, prof, repeat, dump, ship=night or "--ship" in argv, night=night):
            print(json.dumps(row))
        return 0
    if name != "prepare" and not _base(n_pos, "night").exists():  # the copies stage() starts from, made once
        prepare(n_pos)
    print(json.dumps(prepare(n_pos) if name == "prepare" else stage(name, n_pos, prof, settle, late,
                                                                    by_step="--steps" in argv, wall="--wall" in argv,
                                                                    handed="--handed" in argv,
                                                                    decided="--decided" in argv)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
