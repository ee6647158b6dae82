"""A bench workspace: ACME's profile, the demo reference data (credit raised so every order fits),
stock enough for every line, N purchase orders of 20 lines in files of 500 POs (deterministic), and
the east DC's shipment confirmations for every second of them, written from the drop itself.
Shared by bench_night.py (the real `orderbridge run`) and bench_run.py (the stages in-process)."""

from __future__ import annotations

import itertools
import random
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINES_PER_PO = 20
PER_FILE = 500


def prepare(root: Path, n_pos: int, *, batch: str | int | None = None, per_file: int = PER_FILE) -> int:
    """A fresh workspace at ``root`` with ``n_pos`` POs in ACME's inbox (files of ``per_file`` POs); the
    number of order lines. ``batch``: ACME's delivery.batch (None: the profile's own)."""
    import pyarrow as pa

    from connectors.snapshots import write_receipts, write_snapshot
    from flows.workspace import open_workspace
    from schemas.inventory import EXPECTED_RECEIPTS, INVENTORY_SNAPSHOT

    shutil.rmtree(root, ignore_errors=True)
    ws = open_workspace(root)
    shutil.copytree(ROOT / "partners", ws.root / "partners")
    shutil.copytree(ROOT / "warehouses", ws.root / "warehouses")  # the east DC ships (bench_run)
    if batch is not None:
        profile = ws.root / "partners" / "acme.toml"
        value = f'"{batch}"' if isinstance(batch, str) else str(batch)
        profile.write_text(profile.read_text() + f"\n[delivery]\nbatch = {value}\n")
    shutil.copytree(ROOT / "sample_files" / "reference", ws.root / "reference")
    customers = ws.root / "reference" / "customers.csv"
    customers.write_text(customers.read_text().replace("acme,50000.00,", "acme,999999999.00,"))
    rows = [{"as_of": date(2026, 11, 26), "warehouse": w, "sku": f"SKU-{n}", "on_hand": 10_000_000, "reserved": 0}
            for n in range(1001, 1031) for w in ("EAST", "WEST")]  # every line allocated: throughput, not shortage
    write_snapshot(ws.root / "inventory" / "snapshots", pa.Table.from_pylist(rows, schema=INVENTORY_SNAPSHOT))
    write_receipts(ws.root / "inventory" / "receipts.parquet", EXPECTED_RECEIPTS.empty_table())
    return drop(ws.root, n_pos, per_file=per_file)


def orders(n_pos: int) -> Iterator[tuple[int, list[tuple[int, int, dict]]]]:
    """The bench's ``n_pos`` purchase orders, deterministic: (k, [(PO101, quantity, item), ...]), PO
    BENCH-{k:06d}; real active items at multiples of their case pack, at least their minimum."""
    from connectors.reference import load_reference

    ref = load_reference(ROOT / "sample_files" / "reference")
    items = [i for i in ref.items.to_pylist() if i["status"] == "active"]
    rng = random.Random(7)
    for k in range(n_pos):
        lines = []
        for i in range(1, LINES_PER_PO + 1):
            item = rng.choice(items)
            lines.append((i, max(item["case_pack"] * rng.randint(1, 4), item["min_order_qty"]), item))
        yield k, lines


def drop(ws_root: Path, n_pos: int, partner: str = "acme", *, per_file: int = PER_FILE) -> int:
    """A partner's inbox (ACME's by default): ``n_pos`` 850s in files of ``per_file`` (one interchange
    each; real items and the partner's prices from the workspace's reference data, the demo's)."""
    from connectors.reference import load_reference
    from schemas.profile import load_profiles

    x = load_profiles(ws_root / "partners")[partner].x12
    ref = load_reference(ws_root / "reference")
    prices = {r["sku"]: r["unit_price"] for r in ref.prices.to_pylist()
              if r["partner"] == partner and r["valid_to"] is None}
    inbox = ws_root / "drop" / partner / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    total = 0
    pos = orders(n_pos)
    for f in range(0, n_pos, per_file):
        isa13 = 10_000 + f // per_file
        segs = [f"ISA*00*          *00*          *{x.their_qualifier}*{x.their_id:<15}*{x.our_qualifier}*"
                f"{x.our_id:<15}*261126*0200*U*00401*{isa13:09d}*0*P*>",
                f"GS*PO*{x.their_gs_id}*{x.our_gs_id}*20261126*0200*{isa13}*X*{x.version}"]
        sets = 0
        for k, lines in itertools.islice(pos, min(n_pos, f + per_file) - f):
            sets += 1
            st = f"{sets:04d}"
            body = [f"BEG*00*SA*BENCH-{k:06d}**20261126", "CUR*BY*USD", "ITD*08*3*2**10**30", "DTM*010*20261210",
                    "N1*ST*Acme Distribution Center*92*DC01"]
            for i, qty, item in lines:
                body.append(f"PO1*{i}*{qty}*EA*{prices[item['sku']]:.2f}*PE*UP*{item['upc']}")
            body.append(f"CTT*{LINES_PER_PO}")
            segs += [f"ST*850*{st}", *body, f"SE*{len(body) + 2}*{st}"]
            total += LINES_PER_PO
        segs += [f"GE*{sets}*{isa13}", f"IEA*1*{isa13:09d}"]
        (inbox / f"bench-{f // per_file:04d}.x12").write_text("".join(s + "~\n" for s in segs))
    return total


def clone_acme(ws_root: Path, partner: str) -> None:
    """Another partner like ACME (its own id, ISA/GS sender and drop; ACME's reference rows and raised
    credit copied under its id): what splits a bench night across several partners (bench_pool.py)."""
    import csv

    n = partner.removeprefix("acme")
    text = (ws_root / "partners" / "acme.toml").read_text()
    text = text.replace('id = "acme"', f'id = "{partner}"', 1).replace('"ACMERETAIL"', f'"ACMERETAIL{n}"')
    (ws_root / "partners" / f"{partner}.toml").write_text(text)
    for path in sorted((ws_root / "reference").glob("*.csv")):
        with path.open(newline="") as fh:
            rows = list(csv.reader(fh))
        if rows and rows[0][:1] == ["partner"]:
            rows += [[partner, *r[1:]] for r in rows[1:] if r[:1] == ["acme"]]
            with path.open("w", newline="") as fh:
                csv.writer(fh, lineterminator="\n").writerows(rows)


# the night's confirmations: shipped 15 minutes before the bench night's clock (02:00), so their
# 856s fall inside ACME's 30-minute ASN window
SHIPPED_AT = ("2026-11-27", "01:45")
CARTON_LINES = 4  # 5 cartons of 4 lines per shipment


def confirmations(ws_root: Path, n_pos: int, *, shipped_at: tuple[str, str] = SHIPPED_AT,
                  per_file: int = PER_FILE) -> int:
    """The east DC's CSV shipment confirmations, in its inbox, for every second PO of the drop (k even):
    every unit of every line (stock is plentiful and ACME's allocation prefers EAST, so the east DC
    holds every line's reservation), one shipment per PO, 5 cartons of 4 lines; files of ``per_file``
    shipments. Written from the drop itself (``orders``), so it can be dropped before the run that
    acknowledges the orders. Returns the POs shipped."""
    inbox = ws_root / "warehouse-drop" / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    head = "Shipment ID,Ship Date,Ship Time,Carrier,Tracking Number,PO Number,PO Line,SKU,Quantity,Unit,Carton ID\n"
    day, clock = shipped_at
    shipped = [(k, lines) for k, lines in orders(n_pos) if k % 2 == 0]
    for f in range(0, len(shipped), per_file):
        rows = [head]
        for k, lines in shipped[f:f + per_file]:
            for n, (i, qty, item) in enumerate(lines):
                rows.append(f"BS-{k:06d},{day},{clock},UPSN,1Z{k:016d},BENCH-{k:06d},{i},{item['sku']},{qty},EA,"
                            f"BC-{k:06d}-{n // CARTON_LINES}\n")
        (inbox / f"ship-{f // per_file:04d}.csv").write_text("".join(rows))
    return len(shipped)


def pyx12_read(paths: list[Path]) -> tuple[float, float, int]:
    """pyx12's X12Reader merely iterating every segment of ``paths``: (wall s, CPU s, segments)."""
    import time

    from pyx12.x12file import X12Reader

    wall, cpu, n = time.perf_counter(), time.process_time(), 0
    for path in paths:
        with open(path, encoding="latin-1") as fh:
            for _seg in X12Reader(fh):
                n += 1
    return time.perf_counter() - wall, time.process_time() - cpu, n


def timed_run(ws_root: Path, now: str, log: Path, *, prof: Path | None = None):
    """The real `orderbridge run -w WS --now NOW --no-prefect` (``prof``: under cProfile into that file), its output
    in ``log``: (exit status, wall s, the process's resource usage (os.wait4: its CPU and peak RSS), the rows
    ORDERBRIDGE_STAGE_TIMES wrote, one per stage and partner). SystemExit when the run failed (not 0 or 1)."""
    import json
    import os
    import subprocess
    import sys
    import tempfile
    import time

    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        times = Path(tmp) / "stage-times.jsonl"
        env = {**os.environ, "ORDERBRIDGE_STAGE_TIMES": str(times)}
        command = [str(root / ".venv" / "bin" / "orderbridge"), "run", "-w", str(ws_root), "--now", now,
                   "--no-prefect"]
        if prof is not None:
            command = [sys.executable, "-m", "cProfile", "-o", str(prof), *command]
        wall = time.perf_counter()
        with open(log, "w") as out:
            proc = subprocess.Popen(command, env=env, cwd=root, stdout=out, stderr=subprocess.STDOUT)
            _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - wall
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            raise SystemExit(f"orderbridge run failed ({code}): see {log}")
        rows = [json.loads(line) for line in times.read_text().splitlines()] if times.exists() else []
    return code, wall, usage, rows
