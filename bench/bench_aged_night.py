"""Does every stage but reconciliation stay flat as the store ages? One workspace run night after night by the
real `orderbridge run --no-prefect` (a fixed clock, one day later each night): each night N new POs x 20 lines
from ACME (bench/night.py's, their PO numbers prefixed with the night), the east DC's confirmations for half of
them (856s, 810s the same night), the other half shipped the next night, a few 860s raising a line of the night
before's open POs first (so that line stays open: orders accumulate a little), a new stock snapshot each night,
and ACME's 997 for every set delivered, picked up the next night. Prints per night each stage's CPU seconds
(ORDERBRIDGE_STAGE_TIMES; reconcile apart: it grows with all history by design, docs/design-reconcile-history.md),
the state store's size and the run's peak RSS (the process's, from wait4). Measured, never asserted.

    .venv/bin/python bench/bench_aged_night.py                    # 1,000 POs (20,000 lines) a night, 12 nights
    .venv/bin/python bench/bench_aged_night.py 250 --nights 4     # smaller
    .venv/bin/python bench/bench_aged_night.py --prof-last /tmp/aged.prof   # cProfile the last night's run
    .venv/bin/python bench/bench_aged_night.py --keep DIR         # keep the workspace (bench/digest.py DIR)

A stage that follows the night's work stays flat; one that reads history (every order, file or document ever
received) grows with the nights (figures: docs/design-night-in-arrow.md, "The store as it ages").
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_night import STAGES  # noqa: E402
from bench.bench_reconcile_history import NOW, _renumber, _their_997  # noqa: E402
from bench.night import confirmations, drop, orders, prepare, timed_run  # noqa: E402

WORK = ROOT / ".bench" / "aged"
CHANGES = 10  # 860s a night, each to one of the night before's open (unshipped) POs


def _changes(ws_root: Path, n_pos: int, night: int) -> int:
    """ACME's 860s for ``CHANGES`` of the night before's unshipped POs (odd k): line 1's quantity raised by its
    case pack (QI). One interchange, in ACME's inbox."""
    if night == 0:
        return 0
    from connectors.reference import load_reference
    from schemas.profile import load_profiles

    x = load_profiles(ws_root / "partners")["acme"].x12
    ref = load_reference(ws_root / "reference")
    prices = {r["sku"]: r["unit_price"] for r in ref.prices.to_pylist()
              if r["partner"] == "acme" and r["valid_to"] is None}
    control = 800_000 + night
    when = NOW + timedelta(days=night)
    segs = [f"ISA*00*          *00*          *{x.their_qualifier}*{x.their_id:<15}*{x.our_qualifier}*"
            f"{x.our_id:<15}*{when:%y%m%d}*0100*U*00401*{control:09d}*0*P*>",
            f"GS*PC*{x.their_gs_id}*{x.our_gs_id}*{when:%Y%m%d}*0100*{control}*X*{x.version}"]
    sets = 0
    for k, lines in orders(n_pos):
        if k % 2 == 0 or sets >= CHANGES:
            continue
        sets += 1
        i, qty, item = lines[0]
        new = qty + item["case_pack"]
        body = [f"BCH*04*SA*N{night - 1:02d}BENCH-{k:06d}***{when - timedelta(days=1):%Y%m%d}",
                f"POC*{i}*QI*{new}*{qty}*EA*{prices[item['sku']]:.2f}*PE*UP*{item['upc']}", "CTT*1"]
        segs += [f"ST*860*{sets:04d}", *body, f"SE*{len(body) + 2}*{sets:04d}"]
    segs += [f"GE*{sets}*{control}", f"IEA*1*{control:09d}"]
    (ws_root / "drop" / "acme" / "inbox" / f"acme-860-{night:02d}.x12").write_text("".join(s + "~\n" for s in segs))
    return sets


def _confirm_rest(ws_root: Path, n_pos: int, night: int) -> int:
    """The east DC's confirmations for the night before's POs left open (k odd), every unit it ordered in its
    850 (a line an 860 raised stays open for the rest): one shipment each, 5 cartons of 4 lines."""
    if night == 0:
        return 0
    day = f"{NOW + timedelta(days=night, minutes=-15):%Y-%m-%d}"
    rows = ["Shipment ID,Ship Date,Ship Time,Carrier,Tracking Number,PO Number,PO Line,SKU,Quantity,Unit,Carton ID\n"]
    shipped = 0
    for k, lines in orders(n_pos):
        if k % 2 == 0:
            continue
        shipped += 1
        for n, (i, qty, item) in enumerate(lines):
            rows.append(f"N{night:02d}BL-{k:06d},{day},01:45,UPSN,1Z{night:02d}9{k:013d},N{night - 1:02d}BENCH-{k:06d},"
                        f"{i},{item['sku']},{qty},EA,N{night:02d}BLC-{k:06d}-{n // 4}\n")
    inbox = ws_root / "warehouse-drop" / "east" / "inbox"
    (inbox / f"n{night:02d}-late-ship.csv").write_text("".join(rows))
    return shipped


def _snapshot(ws_root: Path, night: int) -> None:
    """The night's stock snapshot (as the DCs export one every night): as plentiful as bench/night.py's."""
    import pyarrow as pa

    from connectors.snapshots import write_snapshot
    from schemas.inventory import INVENTORY_SNAPSHOT

    day = (NOW + timedelta(days=night)).date()
    rows = [{"as_of": day, "warehouse": w, "sku": f"SKU-{n}", "on_hand": 10_000_000, "reserved": 0}
            for n in range(1001, 1031) for w in ("EAST", "WEST")]
    write_snapshot(ws_root / "inventory" / "snapshots", pa.Table.from_pylist(rows, schema=INVENTORY_SNAPSHOT))


def _drop_night(ws_root: Path, n_pos: int, night: int) -> None:
    """The night's files in the inboxes: its 850s and the east DC's confirmations renumbered to the night, the
    confirmations of the night before's open POs, its 860s (the 997s of the night before are there already) and
    the night's stock snapshot."""
    inbox = ws_root / "drop" / "acme" / "inbox"
    east = ws_root / "warehouse-drop" / "east" / "inbox"
    before = set(inbox.glob("*")) | (set(east.glob("*")) if east.exists() else set())
    now = NOW + timedelta(days=night)
    drop(ws_root, n_pos)
    confirmations(ws_root, n_pos, shipped_at=(f"{now - timedelta(minutes=15):%Y-%m-%d}", "01:45"))
    for path in sorted((set(inbox.glob("bench-*.x12")) | set(east.glob("ship-*.csv"))) - before):
        _renumber(path, night)
        path.rename(path.with_name(f"n{night:02d}-{path.name}"))
    _changes(ws_root, n_pos, night)
    _confirm_rest(ws_root, n_pos, night)
    _snapshot(ws_root, night)


def _size_mb(root: Path) -> float:
    return round(sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) / 2**20, 1)


def _store(work: Path) -> dict:
    """The store's rows that age: orders by state, shipments, documents, acknowledgments received."""
    import sqlite3

    db = sqlite3.connect(work / "state" / "orderbridge.sqlite")
    try:
        return {"orders": dict(db.execute("SELECT state, COUNT(*) FROM orders GROUP BY state ORDER BY state")),
                **{t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                   for t in ("shipments", "invoices", "documents", "partner_acks", "pending_changes", "files")}}
    finally:
        db.close()


def _run(work: Path, night: int, prof: Path | None) -> dict:
    """`orderbridge run --no-prefect` on the night's clock: its stages' CPU seconds, its own CPU and peak RSS."""
    at = (NOW + timedelta(days=night)).isoformat()
    _code, wall, usage, rows = timed_run(work, at, work / f"run-{night:02d}.log", prof=prof)
    cpu: dict[str, float] = {}
    before = 0  # the process's peak when the stages before reconcile were done (reconcile's grows by design)
    for row in rows:
        cpu[row["stage"]] = round(cpu.get(row["stage"], 0.0) + row.get("cpu", 0.0), 2)
        if row["stage"] in ("intake", "decide", "ship", "invoice", "deliver"):
            before = max(before, row.get("peak_rss_mb") or 0)
    return {"wall_s": round(wall, 1), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
            "peak_rss_mb": usage.ru_maxrss // 1024, "peak_rss_before_reconcile_mb": before, "stage_cpu_s": cpu}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pos", nargs="?", type=int, default=1000, help="new POs a night (20 lines each)")
    ap.add_argument("--nights", type=int, default=12)
    ap.add_argument("--prof-last", type=Path, metavar="FILE", help="cProfile the last night's run into FILE")
    ap.add_argument("--keep", type=Path, metavar="DIR", help="keep the workspace as DIR")
    args = ap.parse_args(argv)
    from flows.workspace import open_workspace

    work = WORK / f"{args.pos}"
    prepare(work, 0, batch="run")  # the bench's workspace, its inbox empty: each night drops its own
    ws = open_workspace(work)
    acked: set[int] = set()
    rows = []
    for night in range(args.nights):
        _drop_night(work, args.pos, night)
        prof = args.prof_last if night == args.nights - 1 else None
        row = {"night": night + 1, "pos": args.pos, **_run(work, night, prof)}
        row["store_mb"] = _size_mb(work / "state")
        row["store"] = _store(work)
        row["their_997_sets"] = _their_997(ws, night, acked)  # for the next night's intake
        rows.append(row)
        print(json.dumps(row), flush=True)
    others = [s for s in STAGES if s != "reconcile"]
    print(f"\n{args.pos:,} POs x 20 lines a night, {args.nights} nights, `orderbridge run --no-prefect`; CPU s")
    print(f"{'night':>5} " + " ".join(f"{s:>8}" for s in others) + f" {'others':>8} {'reconcile':>9} "
          f"{'run':>7} {'store MB':>8} {'peak MB':>7} {'pre-rec MB':>10}")
    for r in rows:
        c = r["stage_cpu_s"]
        print(f"{r['night']:>5} " + " ".join(f"{c.get(s, 0.0):>8.2f}" for s in others)
              + f" {sum(c.get(s, 0.0) for s in others):>8.2f} {c.get('reconcile', 0.0):>9.2f} {r['cpu_s']:>7.2f}"
              f" {r['store_mb']:>8.1f} {r['peak_rss_mb']:>7} {r['peak_rss_before_reconcile_mb']:>10}")
    if args.keep is not None:
        shutil.rmtree(args.keep, ignore_errors=True)
        shutil.move(str(work), str(args.keep))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
