"""Benchmark engine.allocate on synthetic data: 1M order lines x 100k SKUs x 5 warehouses, then 2x and 4x
the lines. Each size runs in a fresh process so peak RSS (ru_maxrss) is that size's own.

    .venv/bin/python bench/bench_allocate.py            # 1x, 2x, 4x
    .venv/bin/python bench/bench_allocate.py --scale 1  # one size, one JSON line
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from connectors.snapshots import load_receipts, load_snapshot, write_receipts, write_snapshot
from engine.allocate import allocate
from schemas.allocation import AllocationPolicy
from schemas.inventory import ALLOCATION_INPUT, EXPECTED_RECEIPTS, INVENTORY_SNAPSHOT

LINES = 1_000_000
SKUS = 100_000
WAREHOUSES = ["DC-EAST", "DC-WEST", "DC-NORTH", "DC-SOUTH", "DC-CENTRAL"]
AS_OF = date(2024, 3, 1)

POLICIES = {
    "ACME": AllocationPolicy(tier=1, preferred_warehouse="DC-EAST"),
    "BIGBOX": AllocationPolicy(tier=1, warehouse_order=("DC-WEST", "DC-CENTRAL"), case_pack_rounding="up"),
    "CORNER": AllocationPolicy(tier=3, partial_allowed=False),
    "DELTA": AllocationPolicy(tier=2, ship_complete=True),
    "ECHO": AllocationPolicy(tier=2, backorder="reject"),
    "FOXTROT": AllocationPolicy(tier=3, single_warehouse_first=False, case_pack_rounding="down"),
    "GOLF": AllocationPolicy(tier=2, preferred_warehouse="DC-SOUTH"),
    "HOTEL": AllocationPolicy(tier=4),
}


def _ids(prefix: str, values: np.ndarray, width: int) -> pa.Array:
    digits = pc.utf8_lpad(pa.array(values).cast(pa.string()), width=width, padding="0")
    return pc.binary_join_element_wise(prefix, digits, "")


def synthesize(n_lines: int, seed: int = 7) -> tuple[pa.Table, pa.Table, pa.Table]:
    rng = np.random.default_rng(seed)
    popularity = rng.lognormal(0.0, 1.0, SKUS)
    sku = rng.choice(SKUS, size=n_lines, p=popularity / popularity.sum())
    partners = np.array(sorted(POLICIES))
    partner = partners[rng.integers(0, len(partners), n_lines)]
    order_no = rng.integers(0, n_lines // 8, n_lines)
    qty = rng.integers(1, 48, n_lines)
    case_pack = np.where(rng.random(n_lines) < 0.3, rng.choice([6, 12, 24], n_lines), 0)
    epoch = (AS_OF - date(1970, 1, 1)).days
    rsd = epoch + rng.integers(0, 30, n_lines)
    scaled = np.empty((n_lines, 2), np.int64)
    scaled[:, 0] = qty * 10_000
    scaled[:, 1] = 0
    lines = pa.table(
        {
            "partner": pa.array(partner),
            "order_ref": _ids("ORD", order_no, 9),
            "po_number": _ids("PO", order_no, 9),
            "line_number": pa.array(rng.integers(1, 40, n_lines).astype(np.int32)),
            "sku": _ids("SKU", sku, 6),
            "quantity": pa.Array.from_buffers(pa.decimal128(18, 4), n_lines, [None, pa.py_buffer(scaled)]),
            "requested_ship_date": pa.array(rsd.astype(np.int32), mask=rng.random(n_lines) < 0.2).cast(
                pa.date32()
            ),
            "po_date": pa.array((epoch - rng.integers(0, 20, n_lines)).astype(np.int32)).cast(pa.date32()),
            "arrival": pa.array(np.arange(n_lines, dtype=np.int64)),
            "case_pack": pa.array(case_pack, mask=case_pack == 0),
        },
        schema=ALLOCATION_INPUT,
    )

    # stock covers ~85% of expected demand for the base size, spread unevenly over warehouses
    demand = np.bincount(sku, weights=qty, minlength=SKUS) * (LINES / n_lines)
    cells = SKUS * len(WAREHOUSES)
    share = rng.dirichlet(np.ones(len(WAREHOUSES)), SKUS).reshape(-1)
    on_hand = np.floor(np.repeat(demand * 0.85, len(WAREHOUSES)) * share).astype(np.int64)
    snapshot = pa.table(
        {
            "as_of": pa.array([AS_OF] * cells, pa.date32()),
            "warehouse": pa.array(np.tile(WAREHOUSES, SKUS)),
            "sku": _ids("SKU", np.repeat(np.arange(SKUS), len(WAREHOUSES)), 6),
            "on_hand": pa.array(on_hand),
            "reserved": pa.array((on_hand * rng.random(cells) * 0.1).astype(np.int64)),
        },
        schema=INVENTORY_SNAPSHOT,
    )
    n_rec = SKUS * 2
    rec_sku = rng.integers(0, SKUS, n_rec)
    receipts = pa.table(
        {
            "warehouse": pa.array(np.array(WAREHOUSES)[rng.integers(0, len(WAREHOUSES), n_rec)]),
            "sku": _ids("SKU", rec_sku, 6),
            "quantity": pa.array(rng.integers(10, 400, n_rec)),
            "eta": pa.array(
                [AS_OF + timedelta(days=int(d)) for d in rng.integers(1, 60, n_rec)], pa.date32()
            ),
        },
        schema=EXPECTED_RECEIPTS,
    )
    return lines, snapshot, receipts


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def run_one(scale: int) -> dict:
    lines, snapshot, receipts = synthesize(LINES * scale)
    with tempfile.TemporaryDirectory() as tmp:
        write_snapshot(Path(tmp) / "inventory", snapshot)
        write_receipts(Path(tmp) / "receipts.parquet", receipts)
        t0 = time.perf_counter()
        snapshot = load_snapshot(Path(tmp) / "inventory", AS_OF)
        receipts = load_receipts(Path(tmp) / "receipts.parquet")
        load_s = time.perf_counter() - t0
    rss_before = rss_mb()
    t0 = time.perf_counter()
    result = allocate(lines, snapshot, receipts, POLICIES, today=AS_OF)
    seconds = time.perf_counter() - t0
    t = result.lines
    return {
        "scale": scale,
        "lines": lines.num_rows,
        "rows_out": t.num_rows,
        "allocate_s": round(seconds, 2),
        "load_snapshot_s": round(load_s, 2),
        "peak_rss_mb_before": round(rss_before),
        "peak_rss_mb": round(rss_mb()),
        "allocated_units": int(pc.sum(t["allocated"]).as_py()),
        "ordered_units": int(pc.sum(t["ordered"]).as_py()),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, help="run one size in this process and print JSON")
    args = parser.parse_args()
    if args.scale:
        print(json.dumps(run_one(args.scale)))
        return
    print(
        f"{'lines':>10} {'allocate s':>11} {'load s':>7} {'peak RSS MB':>12} "
        f"{'(before allocate)':>18} {'rows out':>10}"
    )
    for scale in (1, 2, 4):
        out = subprocess.run(
            [sys.executable, __file__, "--scale", str(scale)], check=True, capture_output=True, text=True
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{r['lines']:>10,} {r['allocate_s']:>11.2f} {r['load_snapshot_s']:>7.2f} "
            f"{r['peak_rss_mb']:>12,} "
            f"{r['peak_rss_mb_before']:>18,} {r['rows_out']:>10,}",
            flush=True,
        )


if __name__ == "__main__":
    main()
