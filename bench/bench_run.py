"""A whole night at volume: one partner drops N purchase orders (20 lines each, real items from the
demo reference data); time each stage of the run (intake, decide with GX + allocation + 855s,
delivery), then the warehouse's shipment confirmations for half of the orders (CSV, 5 cartons of 4
lines each, every unit of the order) through the checks, SSCC numbering, 856s and the 810s, and
their delivery; and the peak RSS. Run: python bench/bench_run.py [N ...]   (default: 1000 5000)"""

from __future__ import annotations

import random
import resource
import shutil
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def drop(ws_root: Path, n_pos: int, lines: int = 20, per_file: int = 500) -> int:
    from bench.synth_850 import interchange
    from connectors.reference import load_reference
    from schemas.profile import load_profiles

    profile = load_profiles(ROOT / "partners")["acme"]
    x = profile.x12
    items = load_reference(ROOT / "sample_files" / "reference").items.to_pylist()
    items = [i for i in items if i["status"] == "active"]
    prices = {r["sku"]: r["unit_price"] for r in load_reference(ROOT / "sample_files" / "reference").prices.to_pylist()
              if r["partner"] == "acme" and r["valid_to"] is None}
    rng = random.Random(7)
    inbox = ws_root / "drop" / "acme" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    total = 0
    for f in range(0, n_pos, per_file):
        bodies = []
        for k in range(f, min(n_pos, f + per_file)):
            body = [["BEG", "00", "SA", f"BENCH-{k:06d}", "", "20261126"], ["CUR", "BY", "USD"],
                    ["ITD", "08", "3", "2", "", "10", "", "30"], ["DTM", "010", "20261210"],
                    ["N1", "ST", "Acme Distribution Center", "92", "DC01"]]
            for i in range(1, lines + 1):
                item = rng.choice(items)
                qty = item["case_pack"] * rng.randint(1, 4)
                body.append(["PO1", str(i), str(max(qty, item["min_order_qty"])), "EA", f"{prices[item['sku']]:.2f}",
                             "PE", "UP", item["upc"]])
            body.append(["CTT", str(lines)])
            bodies.append(body)
            total += lines
        data = interchange(sender=(x.their_qualifier, x.their_id), receiver=(x.our_qualifier, x.our_id),
                           gs_ids=(x.their_gs_id, x.our_gs_id), version=x.version, d=x.delimiters.to_delimiters(),
                           when=date(2026, 11, 26), isa13=10_000 + f // per_file, bodies=bodies)
        (inbox / f"bench-{f // per_file:04d}.x12").write_bytes(data)
    return total


def run(n_pos: int) -> dict:
    from connectors.local import LocalDrop
    from connectors.reference import load_reference
    from connectors.state import StateStore
    from flows import steps
    from flows.workspace import open_workspace

    root = ROOT / ".bench" / f"run-{n_pos}"
    shutil.rmtree(root, ignore_errors=True)
    ws = open_workspace(root)
    shutil.copytree(ROOT / "partners", ws.root / "partners")
    shutil.copytree(ROOT / "warehouses", ws.root / "warehouses")
    shutil.copytree(ROOT / "sample_files" / "reference", ws.root / "reference")
    customers = (ws.root / "reference" / "customers.csv").read_text().replace("acme,50000.00,", "acme,999999999.00,")
    (ws.root / "reference" / "customers.csv").write_text(customers)  # room for every bench order
    n_lines = drop(ws.root, n_pos)
    # plenty of stock so every line is allocated: the bench measures throughput, not shortages
    import pyarrow as pa

    from connectors.snapshots import write_receipts, write_snapshot
    from schemas.inventory import EXPECTED_RECEIPTS, INVENTORY_SNAPSHOT
    rows = [{"as_of": date(2026, 11, 26), "warehouse": w, "sku": f"SKU-{n}", "on_hand": 10_000_000, "reserved": 0}
            for n in range(1001, 1031) for w in ("EAST", "WEST")]
    write_snapshot(ws.root / "inventory" / "snapshots", pa.Table.from_pylist(rows, schema=INVENTORY_SNAPSHOT))
    write_receipts(ws.root / "inventory" / "receipts.parquet", EXPECTED_RECEIPTS.empty_table())
    now = datetime(2026, 11, 27, 2)
    state = StateStore(ws.state_path)
    profiles = ws.partners()
    t0 = time.perf_counter()
    res = steps.intake_partner(ws, profiles["acme"], state, LocalDrop(ws.drop_root / "acme"), now=now, run_id="b")
    t1 = time.perf_counter()
    decided = steps.decide_run(ws, profiles, state, load_reference(ws.reference_dir),
                               steps.load_inventory(ws, now.date()), now=now, run_id="b", use_gx=True)
    t2 = time.perf_counter()
    sent = steps.deliver_partner(profiles["acme"], state, LocalDrop(ws.drop_root / "acme"), now=now)
    t3 = time.perf_counter()
    accepted = sum(d.status == "accepted" for d in decided.decisions)
    shipped_pos = confirmations(ws.root, state)  # not timed: the warehouse writes these
    from flows import shipments

    later = datetime(2026, 11, 27, 14, 20)
    ref = load_reference(ws.reference_dir)
    t4 = time.perf_counter()
    ship = shipments.ship_warehouse(ws, ws.warehouses()["east"], profiles, state,
                                    LocalDrop(ws.warehouse_drop_root / "east"), ref, now=later, run_id="s")
    t5 = time.perf_counter()
    billed = shipments.invoice_run(ws, profiles, state, ref, now=later, run_id="s")
    t6 = time.perf_counter()
    sent_later = steps.deliver_partner(profiles["acme"], state, LocalDrop(ws.drop_root / "acme"), now=later)
    t7 = time.perf_counter()
    return {"pos": n_pos, "lines": n_lines, "intake": t1 - t0, "decide": t2 - t1, "deliver": t3 - t2,
            "total": t3 - t0, "accepted": accepted, "files": res.files, "sent": sent,
            "shipped_pos": shipped_pos, "shipments": ship.shipments, "held": ship.held, "ship": t5 - t4,
            "invoice": t6 - t5, "deliver_2": t7 - t6, "asn": ship.documents.get("acme:856", 0),
            "invoices": billed.invoices, "sent_2": sent_later, "night": t3 - t0 + t7 - t4,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def confirmations(ws_root: Path, state, per_file: int = 500) -> int:
    """The east DC's CSV confirmations for every second acknowledged PO: all its units, 5 cartons of 4
    lines, shipped on the afternoon of day 1; files of ``per_file`` shipments. Returns the POs shipped."""
    orders = [o for o in state.orders("acme") if o.state.value == "acknowledged"][::2]
    lines = state.lines_for(o.key for o in orders)
    inbox = ws_root / "warehouse-drop" / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    head = "Shipment ID,Ship Date,Ship Time,Carrier,Tracking Number,PO Number,PO Line,SKU,Quantity,Unit,Carton ID\n"
    for f in range(0, len(orders), per_file):
        rows = [head]
        for k, o in enumerate(orders[f:f + per_file], start=f):
            for i, ln in enumerate(x for x in lines[o.key] if x.allocated):
                rows.append(f"BS-{k:06d},2026-11-27,14:00,UPSN,1Z{k:016d},{o.po_number},{ln.line_id},{ln.sku},"
                            f"{ln.allocated},{ln.unit or 'EA'},BC-{k:06d}-{i // 4}\n")
        (inbox / f"ship-{f // per_file:04d}.csv").write_text("".join(rows))
    return len(orders)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        import json

        print(json.dumps(run(int(argv[1]))))
        return 0
    import json

    sizes = [int(a) for a in argv] or [1000, 5000]
    print(f"{'POs':>7} {'lines':>9} {'intake s':>9} {'decide s':>9} {'deliver s':>9} {'total s':>8} "
          f"{'lines/s':>9} {'accepted':>9} {'sent':>6} {'ship s':>7} {'856':>6} {'810 s':>6} {'810':>6} "
          f"{'deliv2 s':>8} {'night s':>8} {'peak RSS MB':>12}")
    for n in sizes:  # each size in a fresh process, so the peak RSS is its own
        out = subprocess.run([sys.executable, __file__, "--child", str(n)], capture_output=True, text=True,
                             check=True, cwd=ROOT)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{r['pos']:>7,} {r['lines']:>9,} {r['intake']:>9.2f} {r['decide']:>9.2f} {r['deliver']:>9.2f} "
              f"{r['total']:>8.2f} {r['lines'] / r['total']:>9,.0f} {r['accepted']:>9,} {r['sent']:>6} "
              f"{r['ship']:>7.2f} {r['asn']:>6,} {r['invoice']:>6.2f} {r['invoices']:>6,} {r['deliver_2']:>8.2f} "
              f"{r['night']:>8.2f} {r['peak_rss_mb']:>12,.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
