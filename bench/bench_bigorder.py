"""One very large purchase order through real nights (bench/bigorder.py): `orderbridge run --no-prefect` at a
fixed clock on one PO of each --lines size (default 5,000, 20,000 and 50,000 lines, every line its own
item), its confirmations (two shipments in one file) waiting in the east DC's inbox, so the same night
acknowledges (855), ships (two 856s) and invoices it (two 810s); then --sdq: one store-level PO of
500 lines split by SDQ over 200 stores, shipped the same night carton by store; then --change: a PO of
5,000 lines the first night, an 860 with a POC on nearly every line and the confirmations of the changed
quantities the next. Printed per night: wall and CPU seconds, each stage's CPU seconds
(ORDERBRIDGE_STAGE_TIMES: CPU, not wall, so that a busy machine does not blur them), the process's peak
RSS, and the per-line cost of the largest night against the smallest's (super-linear when well above 1).
Measured, never asserted: the night's documents are counted and printed.

    .venv/bin/python bench/bench_bigorder.py [--lines 5000 20000 50000] [--sdq 500x200] [--change 5000]
                                              [--items N] [--prof DIR] [--keep DIR]

--items N gives each night's workspace a catalog of N items (items.csv and ACME's prices.csv) when its order has
fewer lines: the cost of the reference data, which grows with the catalog, not the order (a wholesaler's 50,000
to 500,000 items; `--lines 2000 --sdq '' --change 0 --items 50000`).

`make bench` runs a short one (--lines 2000 8000 --sdq 100x50 --change 2000). --keep DIR keeps each night's
workspace as DIR/<night> (bench/digest.py DIR/<night> compares two commits' outputs); --prof DIR profiles
each night's process into DIR/<night>.prof.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import bigorder  # noqa: E402
from bench.night import timed_run  # noqa: E402

WORK = ROOT / ".bench" / "bigorder"
STAGES = ("intake", "decide", "ship", "invoice", "deliver", "reconcile", "reports")
NIGHT1 = "2026-11-27T02:00:00"
NIGHT2 = "2026-11-28T02:00:00"


def counts(ws: Path) -> dict:
    """What the night left: the order's state, its lines, the sets delivered by type, shipped lines."""
    db = sqlite3.connect(ws / "state" / "orderbridge.sqlite")
    try:
        state = db.execute("SELECT state FROM orders WHERE po_number = ?", (bigorder.PO_NUMBER,)).fetchone()
        sent = dict(db.execute("SELECT s.set_id, COUNT(*) FROM document_sets s JOIN documents d ON d.id = s.document_id"
                               " WHERE d.status = 'delivered' GROUP BY s.set_id").fetchall())
        shipped = db.execute("SELECT COUNT(*) FROM shipment_lines").fetchone()[0]
    finally:
        db.close()
    return {"state": state[0] if state else None, "sent": sent, "shipment_lines": shipped}


def one_night(label: str, ws: Path, now: str, args) -> dict:
    log = WORK / f"{label}.log"
    prof = args.prof / f"{label}.prof" if args.prof else None
    code, wall, usage, rows = timed_run(ws, now, log, prof=prof)
    stages: dict[str, float] = {}
    for r in rows:
        stages[r["stage"]] = stages.get(r["stage"], 0.0) + r.get("cpu", r["seconds"])
    return {"night": label, "code": code, "wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
            "peak_mb": usage.ru_maxrss / 1024, "stages": stages, **counts(ws)}


def keep(ws: Path, label: str, args) -> None:
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(args.keep / label, ignore_errors=True)
        shutil.copytree(ws, args.keep / label)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, nargs="*", default=[5_000, 20_000, 50_000])
    ap.add_argument("--sdq", default="500x200", help="LINESxSTORES of the store-level PO ('' for none)")
    ap.add_argument("--change", type=int, default=5_000, help="lines of the PO changed by an 860 (0 for none)")
    ap.add_argument("--items", type=int, default=0, help="items in the catalog, at least each order's lines")
    ap.add_argument("--prof", type=Path, metavar="DIR")
    ap.add_argument("--keep", type=Path, metavar="DIR")
    args = ap.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    if args.prof:
        args.prof.mkdir(parents=True, exist_ok=True)
    results = []
    for n in args.lines:
        label = f"po-{n}"
        ws = bigorder.prepare(WORK / label, max(n, args.items))
        bigorder.drop_order(ws, bigorder.purchase_order(n), "big-850.x12")
        bigorder.drop_confirmations(ws, bigorder.confirmations(n))
        results.append({**one_night(label, ws, NIGHT1, args), "lines": n})
        keep(ws, label, args)
        shutil.rmtree(ws, ignore_errors=True)
    if args.sdq:
        n, n_stores = (int(v) for v in args.sdq.split("x"))
        label = f"sdq-{n}x{n_stores}"
        ws = bigorder.prepare(WORK / label, max(n, args.items), n_stores=n_stores)
        bigorder.drop_order(ws, bigorder.purchase_order(n, n_stores=n_stores), "big-850.x12")
        bigorder.drop_confirmations(ws, bigorder.confirmations(n, n_stores=n_stores))
        results.append({**one_night(label, ws, NIGHT1, args), "lines": n * n_stores})
        keep(ws, label, args)
        shutil.rmtree(ws, ignore_errors=True)
    if args.change:
        n = args.change
        label = f"change-{n}"
        ws = bigorder.prepare(WORK / label, max(n, args.items))
        bigorder.drop_order(ws, bigorder.purchase_order(n), "big-850.x12")
        results.append({**one_night(f"{label}-850", ws, NIGHT1, args), "lines": n})
        bigorder.drop_order(ws, bigorder.change_order(n), "big-860.x12")
        bigorder.drop_confirmations(ws, bigorder.confirmations(n, changed=True, day="2026-11-28"))
        results.append({**one_night(f"{label}-860", ws, NIGHT2, args), "lines": n})
        keep(ws, label, args)
        shutil.rmtree(ws, ignore_errors=True)
    print(f"{'night':<16} {'lines':>7} {'exit':>4} {'wall s':>7} {'cpu s':>6} {'RSS MB':>7} "
          + " ".join(f"{s:>9}" for s in STAGES) + f" {'state':<18} sent (set: count), shipment lines")
    for r in results:
        print(f"{r['night']:<16} {r['lines']:>7,} {r['code']:>4} {r['wall']:>7.2f} {r['cpu']:>6.1f} "
              f"{r['peak_mb']:>7,.0f} "
              + " ".join(f"{r['stages'].get(s, 0.0):>9.2f}" for s in STAGES)
              + f" {r['state'] or '-':<18} {dict(sorted(r['sent'].items()))}, {r['shipment_lines']:,}")
    sized = [r for r in results if r["night"].startswith("po-")]
    if len(sized) > 1:
        small, big = sized[0], sized[-1]
        print(f"per-line cost, {big['lines']:,} lines against {small['lines']:,} (1.0 = linear): CPU "
              f"{(big['cpu'] / big['lines']) / (small['cpu'] / small['lines']):.2f}; per stage (CPU): " + ", ".join(
                  f"{s} {(big['stages'].get(s, 0) / big['lines']) / (small['stages'][s] / small['lines']):.2f}"
                  for s in STAGES if small["stages"].get(s)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
