"""The per-file cost of a night: the same N purchase orders (bench/night.py: 20 lines each, one partner
ACME, half of them shipped and invoiced the same night) dropped as N files of one PO each ("many",
one busy partner's day of one-PO files) and as files of 500 POs ("few", the bench night's shape), each
run by the real `orderbridge run --no-prefect` (fixed clock). Per stage, the CPU seconds of each night
(ORDERBRIDGE_STAGE_TIMES) and the per-file cost: (many - few) / (files many - files few), in ms. Measured,
never asserted. --prof FILE profiles the many-files night's process (cProfile) for pstats.
--keep DIR keeps both workspaces (DIR/many, DIR/few) to digest them (bench/digest.py).

    .venv/bin/python bench/bench_files.py [--files 2000] [--prof /tmp/files.prof] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_night import CLOCK, STAGES  # noqa: E402
from bench.night import PER_FILE, confirmations, prepare  # noqa: E402

WORK = ROOT / ".bench" / "files"


def night(label: str, n_pos: int, per_file: int, *, prof: Path | None = None, keep: Path | None = None) -> dict:
    ws = WORK / label
    prepare(ws, n_pos, batch="run", per_file=per_file)
    confirmations(ws, n_pos)
    files = len(list((ws / "drop" / "acme" / "inbox").glob("*.x12")))
    times = ws / "stage-times.jsonl"
    env = {**os.environ, "ORDERBRIDGE_STAGE_TIMES": str(times)}
    command = [str(ROOT / ".venv" / "bin" / "orderbridge"), "run", "-w", str(ws), "--now", CLOCK, "--no-prefect"]
    if prof is not None:
        command = [sys.executable, "-m", "cProfile", "-o", str(prof), *command]
    before = os.times()
    wall = time.perf_counter()
    proc = subprocess.run(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wall = time.perf_counter() - wall
    after = os.times()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"orderbridge run failed ({proc.returncode}):\n{proc.stdout[-3000:]}")
    cpu: dict[str, float] = {}
    for line in times.read_text().splitlines():
        row = json.loads(line)
        cpu[row["stage"]] = cpu.get(row["stage"], 0.0) + row.get("cpu", 0.0)
    left = len(list((ws / "drop" / "acme" / "inbox").glob("*.x12")))
    if keep is not None:
        shutil.rmtree(keep / label, ignore_errors=True)
        keep.mkdir(parents=True, exist_ok=True)
        shutil.move(str(ws), str(keep / label))
    shutil.rmtree(ws, ignore_errors=True)
    used = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return {"night": label, "files": files, "left": left, "wall": wall, "cpu": cpu, "total_cpu": used}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=2000, help="POs, one file each in the many-files night")
    ap.add_argument("--prof", type=Path, help="cProfile the many-files night's process into this file")
    ap.add_argument("--keep", type=Path, metavar="DIR", help="keep the workspaces as DIR/many and DIR/few")
    args = ap.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    few = night("few", args.files, PER_FILE, keep=args.keep)
    many = night("many", args.files, 1, prof=args.prof, keep=args.keep)
    extra = many["files"] - few["files"]
    print(f"orderbridge run --no-prefect, ACME, {args.files:,} POs of 20 lines: {many['files']:,} files of one PO "
          f"vs {few['files']:,} files of {PER_FILE}; clock {CLOCK}")
    print(f"{'stage':<10} {'few cpu s':>9} {'many cpu s':>10} {'per file ms':>11}")
    for s in (*STAGES, "total"):
        a = few["total_cpu"] if s == "total" else few["cpu"].get(s, 0.0)
        b = many["total_cpu"] if s == "total" else many["cpu"].get(s, 0.0)
        print(f"{s:<10} {a:>9.2f} {b:>10.2f} {1000 * (b - a) / max(extra, 1):>11.2f}")
    for r in (few, many):
        if r["left"]:
            print(f"{r['night']}: {r['left']} files left in the inbox")
    print("per file = (many - few) / the extra files: what a file costs whatever its size; total = the process's CPU.")
    print(json.dumps({"files": [few, many]}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
