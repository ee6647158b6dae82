"""The nightly reconcile stage against the history it reads: one workspace run night after night (bench/night.py's
night of N POs x 20 lines, each night with new PO numbers: intake, decide without GX, the east DC's confirmations
for half the POs, 856s, 810s, one delivery, then ACME's 997 for every set delivered, picked up the next night),
and after each night flows.reconcile.reconcile_run in a fresh process, so its CPU time and peak RSS are its own.
Prints one JSON line per night: the stage's cost against the number of nights of history (tests/test_benches_run.py
runs it tiny and times nothing).

    .venv/bin/python bench/bench_reconcile_history.py                  # 2,500 POs (50,000 lines) a night, 6 nights
    .venv/bin/python bench/bench_reconcile_history.py 625 --nights 3   # 12,500 lines a night, 3 nights

A stage whose cost followed what is still open would stay flat from night to night; one that reads every line
ever received grows with the nights (figures and a design: docs/design-reconcile-history.md).
"""

from __future__ import annotations

import json
import re
import resource
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

NOW = datetime(2026, 11, 27, 2)  # the first night's clock (bench/profile_stage.py's); night k runs k days later


def _renumber(path: Path, night: int) -> None:
    """A file bench/night.py wrote for one night made another night's: its POs, shipments, cartons and
    tracking numbers prefixed with the night, its interchange and group control numbers moved past the
    earlier nights' (a repeated control number would be a duplicate interchange)."""
    text = path.read_text()
    text = text.replace("BENCH-", f"N{night:02d}BENCH-")
    text = re.sub(r"^BS-", f"N{night:02d}BS-", text, flags=re.M)
    text = text.replace(",BC-", f",N{night:02d}BC-")
    text = re.sub(r",1Z\d{2}(\d{14}),", lambda m: f",1Z{night:02d}{m.group(1)},", text)
    shift = 1_000 * night

    def isa(m: re.Match) -> str:
        fields = m.group(0).split("*")
        if fields[0] == "ISA":
            fields[13] = f"{int(fields[13]) + shift:09d}"
        elif fields[0] == "IEA":
            fields[2] = f"{int(fields[2]) + shift:09d}"
        elif fields[0] == "GS":
            fields[6] = str(int(fields[6]) + shift)
        elif fields[0] == "GE":
            fields[2] = str(int(fields[2]) + shift)
        return "*".join(fields)

    text = re.sub(r"^(ISA|IEA|GS|GE)\*[^~]*", isa, text, flags=re.M)
    path.write_text(text)


def _their_997(ws, night: int, acked: set[int]) -> int:
    """ACME's 997 accepting every set we delivered and it has not acknowledged yet, in its inbox for the next
    night's intake. Returns the sets acknowledged."""
    from connectors.state import StateStore
    from engine.envelope import Envelope, wrap

    functional = {"855": "PR", "856": "SH", "810": "IN", "865": "CA"}
    state = StateStore(ws.state_url)
    try:
        docs = [d for d in state.documents("acme") if d.status == "delivered" and d.doc_type in functional
                and d.id not in acked]
    finally:
        state.close()
    acks = []
    for d in docs:
        acked.add(d.id)
        st02s = [s for s in d.st02.split(",") if s]
        acks.append([["AK1", functional[d.doc_type], d.gs06], *[x for st02 in st02s for x in (
            ["AK2", d.doc_type, st02], ["AK5", "A"])], ["AK9", "A", str(len(st02s)), str(len(st02s)),
                                                        str(len(st02s))]])
    if not acks:
        return 0
    x = ws.partners()["acme"].x12
    theirs = Envelope(sender_qualifier=x.their_qualifier, sender_id=x.their_id, receiver_qualifier=x.our_qualifier,
                      receiver_id=x.our_id, gs_sender=x.their_gs_id, gs_receiver=x.our_gs_id, version=x.version,
                      usage=x.usage, delimiters=x.delimiters.to_delimiters())
    control = 900_000 + night
    (ws.drop_root / "acme" / "inbox" / f"acme-997-{night:02d}.x12").write_bytes(
        wrap(theirs, "FA", "997", acks, isa13=control, gs06=control, st02s=list(range(1, len(acks) + 1)),
             now=NOW + timedelta(days=night, hours=7)))
    return len(acks)


def _night(ws, n_pos: int, night: int) -> datetime:
    """Night ``night`` (0 first) of the workspace up to its reconciliation: its POs dropped and taken in (with
    the 997s of the night before), decided, half shipped and invoiced, everything delivered. Returns its clock."""
    from bench.night import confirmations, drop
    from connectors.local import LocalDrop
    from connectors.reference import load_reference
    from connectors.state import StateStore
    from flows import shipments, steps

    now = NOW + timedelta(days=night)
    inbox = ws.drop_root / "acme" / "inbox"
    before = set(inbox.glob("*"))
    drop(ws.root, n_pos)
    for path in sorted(set(inbox.glob("bench-*.x12")) - before):
        _renumber(path, night)
        path.rename(path.with_name(f"n{night:02d}-{path.name}"))
    profiles, ref = ws.partners(), load_reference(ws.reference_dir)
    run = f"night-{night:02d}"
    state = StateStore(ws.state_url)
    try:
        steps.intake_partner(ws, profiles["acme"], state, LocalDrop(inbox.parent), now=now, run_id=run)
        steps.decide_run(ws, profiles, state, ref, steps.load_inventory(ws, now.date()), now=now, run_id=run,
                         use_gx=False)
        east_inbox = ws.root / "warehouse-drop" / "east" / "inbox"
        old = set(east_inbox.glob("*")) if east_inbox.exists() else set()
        confirmations(ws.root, n_pos, shipped_at=(f"{now - timedelta(minutes=15):%Y-%m-%d}", "01:45"))
        for path in sorted(set(east_inbox.glob("ship-*.csv")) - old):
            _renumber(path, night)
            path.rename(path.with_name(f"n{night:02d}-{path.name}"))
        east = ws.warehouses()["east"]
        shipments.ship_warehouse(ws, east, profiles, state, shipments.warehouse_drops(ws)(east), ref, now=now,
                                 run_id=run)
        shipments.invoice_run(ws, profiles, state, ref, now=now, run_id=run)
        steps.deliver_partner(profiles["acme"], state, LocalDrop(inbox.parent), now=now)
    finally:
        state.close()
    return now


def _memory_mb() -> tuple[int, int]:
    """(resident now, peak resident) of this process in MB: /proc's VmRSS and VmHWM, which start again at
    exec (getrusage's ru_maxrss carries the parent's peak into a child started by fork and exec: the
    builder's, here)."""
    try:
        fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
        return round(int(fields["VmRSS"].split()[0]) / 1024), round(int(fields["VmHWM"].split()[0]) / 1024)
    except (OSError, KeyError, ValueError):  # not Linux: the peak since the process began
        peak = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        return peak, peak


def reconcile_child(work: str, run: str, at: str) -> dict:
    """flows.reconcile.reconcile_run on the workspace ``work`` as the night ``run`` at ``at``, in this process
    (imports done first: they are not the stage's cost)."""
    from connectors.state import StateStore
    from flows import steps, warm
    from flows.memory import use_system_allocator
    from flows.workspace import open_workspace

    use_system_allocator()  # Arrow's memory pool as `orderbridge` (flows/cli.py) runs the stages
    warm._import_rules_engine()
    ws = open_workspace(Path(work))
    profiles = ws.partners()
    state = StateStore(ws.state_url)
    from flows import reconcile as stage

    parts: dict[str, float] = {}  # CPU seconds of the stage's parts (write_reports twice: per run, cumulative)

    def timed(name: str, call):
        def inner(*a, **kw):
            start = time.process_time()
            try:
                return call(*a, **kw)
            finally:
                parts[name] = round(parts.get(name, 0.0) + time.process_time() - start, 2)
        return inner

    for name in ("load_inputs", "match_acks", "reconcile", "write_reports"):
        setattr(stage, name, timed(name, getattr(stage, name)))
    base = _memory_mb()[0]
    wall, cpu = time.perf_counter(), time.process_time()
    result = steps.reconcile_run(ws, profiles, state, now=datetime.fromisoformat(at), run_id=run)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    lines = state.finance_lines().num_rows
    state.close()
    return {"cpu_s": round(cpu, 2), "wall_s": round(wall, 2), "lines_reconciled": lines,
            "exceptions": result.summary.get("exceptions"), "documents": result.summary.get("documents"),
            "cpu_parts_s": parts, "rss_before_mb": base,
            "peak_rss_mb": _memory_mb()[1]}


def run(n_pos: int, nights: int) -> None:
    from bench.night import prepare
    from flows.workspace import open_workspace

    work = ROOT / ".bench" / f"history-{n_pos}"
    prepare(work, 0, batch="run")  # the bench's workspace, its inbox empty: each night drops its own POs
    ws = open_workspace(work)
    acked: set[int] = set()
    for night in range(nights):
        start = time.perf_counter()
        now = _night(ws, n_pos, night)
        built = time.perf_counter() - start
        out = subprocess.run([sys.executable, __file__, "--child", str(work), f"night-{night:02d}", now.isoformat()],
                             capture_output=True, text=True, check=True, cwd=ROOT)
        row = {"night": night + 1, "pos_per_night": n_pos, "lines_per_night": n_pos * 20,
               "night_build_s": round(built, 1), **json.loads(out.stdout.strip().splitlines()[-1])}
        row["their_997_sets"] = _their_997(ws, night, acked)  # for the next night's intake
        print(json.dumps(row), flush=True)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        print(json.dumps(reconcile_child(*argv[1:4])))
        return 0
    if argv[:1] in (["-h"], ["--help"]):
        print(__doc__)
        return 0
    nights = int(argv[argv.index("--nights") + 1]) if "--nights" in argv else 6
    sizes = [int(a) for i, a in enumerate(argv) if a.isdigit() and (i == 0 or argv[i - 1] != "--nights")]
    for n_pos in sizes or [2500]:
        run(n_pos, nights)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
