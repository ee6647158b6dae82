"""The night's stages in-process (no Prefect): one partner drops N purchase orders of 20 lines (real
items from the demo reference data, bench/night.py); time each stage of the run (intake, decide with
rules + GX + allocation + 855s, delivery) and inside them (ORDERBRIDGE_STAGE_TIMES), wall and CPU;
then the warehouse's shipment confirmations for half of the orders (CSV, 5 cartons of 4 lines each,
every unit of the order) through the checks, SSCC numbering, 856s, the 810s and their delivery; and
the peak RSS. Each size runs in a fresh process, so its peak RSS is its own.

    .venv/bin/python bench/bench_run.py [N ...] [--batch document|run|N] [--plain]   (default: 2500 10000)
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

INSIDE = ("intake.check", "intake.plan", "intake.store", "decide.load", "decide.rules", "decide.decisions",
          "decide.allocate", "decide.plan", "decide.apply")


def run(n_pos: int, batch: str | int | None, use_gx: bool) -> dict:
    from bench.night import prepare
    from connectors.local import LocalDrop
    from connectors.reference import load_reference
    from connectors.state import StateStore
    from flows import steps
    from flows.workspace import open_workspace

    root = ROOT / ".bench" / f"run-{n_pos}"
    n_lines = prepare(root, n_pos, batch=batch)
    times = root / "stage-times.jsonl"
    os.environ["ORDERBRIDGE_STAGE_TIMES"] = str(times)
    ws = open_workspace(root)
    now = datetime(2026, 11, 27, 2)
    state = StateStore(ws.state_url)
    profiles = ws.partners()
    clocks = [(time.perf_counter(), time.process_time())]
    res = steps.intake_partner(ws, profiles["acme"], state, LocalDrop(ws.drop_root / "acme"), now=now, run_id="b")
    clocks.append((time.perf_counter(), time.process_time()))
    decided = steps.decide_run(ws, profiles, state, load_reference(ws.reference_dir),
                               steps.load_inventory(ws, now.date()), now=now, run_id="b", use_gx=use_gx)
    clocks.append((time.perf_counter(), time.process_time()))
    sent = steps.deliver_partner(profiles["acme"], state, LocalDrop(ws.drop_root / "acme"), now=now)
    clocks.append((time.perf_counter(), time.process_time()))
    shipping = ship_half(ws, state, profiles, n_pos)
    inside: dict[str, float] = {}
    inside_cpu: dict[str, float] = {}
    for line in times.read_text().splitlines():
        row = json.loads(line)
        inside[row["stage"]] = inside.get(row["stage"], 0.0) + row["seconds"]
        inside_cpu[row["stage"]] = inside_cpu.get(row["stage"], 0.0) + row["cpu"]
    accepted = sum(d.status == "accepted" for d in decided.decisions)
    walls = [b[0] - a[0] for a, b in zip(clocks, clocks[1:], strict=False)]
    cpus = [b[1] - a[1] for a, b in zip(clocks, clocks[1:], strict=False)]
    return {"pos": n_pos, "lines": n_lines, "intake": walls[0], "decide": walls[1], "deliver": walls[2],
            "total": sum(walls), "cpu": sum(cpus), "accepted": accepted, "files": res.files, "sent": sent,
            "inside": inside, "inside_cpu": inside_cpu, **shipping,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def ship_half(ws, state, profiles, n_pos: int) -> dict:
    """Day 1's afternoon: the east DC confirms every second PO of the drop (bench/night.py; not timed:
    the warehouse writes these); the shipments stage (checks, SSCCs, 856s), the invoicing (810s) and
    their delivery."""
    from bench.night import confirmations
    from connectors.local import LocalDrop
    from connectors.reference import load_reference
    from flows import shipments, steps

    shipped_pos = confirmations(ws.root, n_pos, shipped_at=("2026-11-27", "14:00"))
    later = datetime(2026, 11, 27, 14, 20)
    ref = load_reference(ws.reference_dir)
    t0 = time.perf_counter()
    ship = shipments.ship_warehouse(ws, ws.warehouses()["east"], profiles, state,
                                    LocalDrop(ws.warehouse_drop_root / "east"), ref, now=later, run_id="s")
    t1 = time.perf_counter()
    billed = shipments.invoice_run(ws, profiles, state, ref, now=later, run_id="s")
    t2 = time.perf_counter()
    sent_later = steps.deliver_partner(profiles["acme"], state, LocalDrop(ws.drop_root / "acme"), now=later)
    t3 = time.perf_counter()
    return {"shipped_pos": shipped_pos, "shipments": ship.shipments, "held": ship.held, "ship": t1 - t0,
            "invoice": t2 - t1, "deliver_2": t3 - t2, "asn": ship.documents.get("acme:856", 0),
            "invoices": billed.invoices, "sent_2": sent_later}


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        batch = argv[2] if argv[2] != "-" else None
        print(json.dumps(run(int(argv[1]), int(batch) if batch and batch.isdigit() else batch, argv[3] == "gx")))
        return 0
    batch, use_gx, sizes = "-", "gx", []
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "--batch":
            batch = args.pop(0)
        elif a == "--plain":
            use_gx = "plain"
        else:
            sizes.append(int(a))
    sizes = sizes or [2500, 10000]
    print(f"in-process stages, delivery.batch = {batch if batch != '-' else 'profile (document)'}, "
          f"{'GX' if use_gx == 'gx' else 'rules without GX'}")
    print(f"{'POs':>7} {'lines':>9} {'intake s':>9} {'decide s':>9} {'deliver s':>9} {'total s':>8} {'cpu s':>7} "
          f"{'lines/s':>9} {'accepted':>9} {'sent':>6} {'peak RSS MB':>12}")
    rows = []
    for n in sizes:  # each size in a fresh process, so the peak RSS is its own
        out = subprocess.run([sys.executable, __file__, "--child", str(n), batch, use_gx], capture_output=True,
                             text=True, check=True, cwd=ROOT)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append(r)
        print(f"{r['pos']:>7,} {r['lines']:>9,} {r['intake']:>9.2f} {r['decide']:>9.2f} {r['deliver']:>9.2f} "
              f"{r['total']:>8.2f} {r['cpu']:>7.2f} {r['lines'] / r['total']:>9,.0f} {r['accepted']:>9,} "
              f"{r['sent']:>6} {r['peak_rss_mb']:>12,.0f}")
    print(f"{'POs':>7} {'shipped':>8} {'ship s':>7} {'856':>6} {'held':>5} {'810 s':>6} {'810':>6} {'deliv2 s':>8} "
          f"{'sent':>6}")
    for r in rows:
        print(f"{r['pos']:>7,} {r['shipped_pos']:>8,} {r['ship']:>7.2f} {r['asn']:>6,} {r['held']:>5,} "
              f"{r['invoice']:>6.2f} {r['invoices']:>6,} {r['deliver_2']:>8.2f} {r['sent_2']:>6,}")
    for r in rows:
        print(f"  inside, {r['pos']:,} POs, wall (cpu) s: " + ", ".join(
            f"{k} {r['inside'].get(k, 0.0):.2f} ({r['inside_cpu'].get(k, 0.0):.2f})" for k in INSIDE))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
