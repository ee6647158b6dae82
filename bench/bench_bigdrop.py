"""A drop larger than memory should be (issue 14 item 4), in three shapes, taken in by the intake stage in
a child process: wall and CPU time, the peak RSS of the process tree (sampled from /proc, as
bench_night.py does) and what was taken in. Measured, never asserted (tests assert behaviour:
tests/test_intake_streaming.py, tests/test_intake_batches.py).

  mixed  ACME's inbox gets ~--mb of 850s, half in one file of many interchanges (read a piece at a time,
         flows.intake.STREAM_BYTES) and half in files of ~12 MB;
  one    one file holding one interchange of ~--mb (its sets read a batch at a time, flows.intake.SPLIT_BYTES);
  six    one file of six interchanges of ~--mb/6 each.

    .venv/bin/python bench/bench_bigdrop.py [--shape mixed|one|six] [--mb 1024] [--keep] [--work DIR]
                                            [--stream-mb 16] [--pos-per-interchange 500] [--batch-sets N] [--isx]

  --isx  every interchange in X12 007040 with an ISX naming '?' its release character right after its ISA and a
         released element separator in each ship-to name (``Acme Distribution?*Center``): read in batches like one
         without (it used to be read whole: compare the peak RSS with and without).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_night import TreePeak  # noqa: E402
from bench.night import LINES_PER_PO, prepare  # noqa: E402

WORK = ROOT / ".bench" / "bigdrop"
PER_INTERCHANGE = 500  # POs
SMALL_FILE_MB = 12
GROUP_SETS = 500_000  # sets per functional group in an interchange larger than that (X12's GE01 is N0 1/6)


def write_drop(ws_root: Path, total_mb: int, per_interchange: int = PER_INTERCHANGE, shape: str = "mixed",
               isx: bool = False) -> dict:
    """ACME's inbox in ``shape`` (see the module's docstring), written a set at a time (never the drop, nor
    an interchange, in memory). Deterministic."""
    from connectors.reference import load_reference
    from schemas.profile import load_profiles

    x = load_profiles(ROOT / "partners")["acme"].x12
    ref = load_reference(ROOT / "sample_files" / "reference")
    items = [i for i in ref.items.to_pylist() if i["status"] == "active"]
    prices = {r["sku"]: r["unit_price"] for r in ref.prices.to_pylist()
              if r["partner"] == "acme" and r["valid_to"] is None}
    choices = [(f"{prices[i['sku']]:.2f}", i["upc"], i["case_pack"], i["min_order_qty"]) for i in items]
    rng = random.Random(11)
    version = "007040" if isx else x.version
    inbox = ws_root / "drop" / "acme" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    counts = {"files": 0, "interchanges": 0, "pos": 0, "lines": 0, "bytes": 0}
    po = 0

    def interchange(fh, isa13: int, *, pos: int | None = None, size: int | None = None) -> int:
        """One interchange of ``pos`` POs (or of about ``size`` bytes) written to ``fh``; its bytes."""
        nonlocal po
        segs = [f"ISA*00*          *00*          *{x.their_qualifier}*{x.their_id:<15}*{x.our_qualifier}*"
                f"{x.our_id:<15}*261126*0200*{'^*00704' if isx else 'U*00401'}*{isa13:09d}*0*P*>",
                *(["ISX*?"] if isx else []), f"GS*PO*{x.their_gs_id}*{x.our_gs_id}*20261126*0200*{isa13}*X*{version}"]
        written = fh.write("".join(s + "~\n" for s in segs))
        k = groups = 0
        while (pos is None or k < pos) and (size is None or written < size):
            if k and k % GROUP_SETS == 0:  # GE01 counts at most 999,999 sets (N0 1/6): a new group
                written += fh.write(f"GE*{GROUP_SETS}*{isa13 * 1000 + groups if groups else isa13}~\n")
                groups += 1
                written += fh.write(f"GS*PO*{x.their_gs_id}*{x.our_gs_id}*20261126*0200*{isa13 * 1000 + groups}*X*"
                                    f"{version}~\n")
            k += 1
            st = f"{k:04d}" if k < 10_000 else str(k)
            body = [f"BEG*00*SA*BIG-{po:07d}**20261126", "CUR*BY*USD", "DTM*010*20261210",
                    f"N1*ST*Acme Distribution{'?*' if isx else ' '}Center*92*DC01"]
            for i in range(1, LINES_PER_PO + 1):
                price, upc, pack, least = rng.choice(choices)
                body.append(f"PO1*{i}*{max(pack * rng.randint(1, 4), least)}*EA*{price}*PE*UP*{upc}")
            body.append(f"CTT*{LINES_PER_PO}")
            written += fh.write("".join(s + "~\n" for s in [f"ST*850*{st}", *body, f"SE*{len(body) + 2}*{st}"]))
            po += 1
        gs06 = isa13 * 1000 + groups if groups else isa13
        written += fh.write(f"GE*{k - groups * GROUP_SETS}*{gs06}~\nIEA*{groups + 1}*{isa13:09d}~\n")
        counts["interchanges"] += 1
        counts["pos"] += k
        counts["lines"] += k * LINES_PER_PO
        return written

    isa13 = 1
    target = total_mb * 1_000_000
    if shape == "mixed":
        files = [("big-0000.x12", target // 2)] + [
            (f"part-{k:04d}.x12", min(SMALL_FILE_MB * 1_000_000, target // 2))
            for k in range(max(1, target // 2 // (SMALL_FILE_MB * 1_000_000)))]
    else:
        files = [("big-0000.x12", target)]
    for name, size in files:
        written = 0
        with open(inbox / name, "w", encoding="ascii") as fh:
            if shape == "one":
                written = interchange(fh, isa13, size=size)
                isa13 += 1
            elif shape == "six":
                for _ in range(6):
                    written += interchange(fh, isa13, size=size // 6)
                    isa13 += 1
            else:
                while written < size:
                    written += interchange(fh, isa13, pos=per_interchange)
                    isa13 += 1
        counts["files"] += 1
        counts["bytes"] += written
    return counts


CHILD = """
import json, sys, time
sys.path.insert(0, {root!r})
from datetime import datetime
from connectors.local import LocalDrop
from connectors.state import StateStore
from flows import steps
from flows import intake
from flows.workspace import open_workspace
if {stream!r} is not None:
    intake.STREAM_BYTES = {stream!r}
    intake.PIECE_BYTES = max(1, {stream!r} // 4)
    intake.SPLIT_BYTES = intake.BATCH_BYTES = max(1, {stream!r} // 2)
if {batch_sets!r} is not None:
    intake.BATCH_SETS = {batch_sets!r}
ws = open_workspace({ws!r})
state = StateStore(ws.state_url)
wall, cpu = time.perf_counter(), time.process_time()
res = steps.intake_partner(ws, ws.partners()["acme"], state, LocalDrop(ws.drop_root / "acme"),
                           now=datetime(2026, 11, 27, 2), run_id="bigdrop")
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
state.close()
print(json.dumps({{"wall": wall, "cpu": cpu, "files": res.files, "processed": res.processed,
                   "quarantined": res.quarantined, "orders": res.orders, "errors": res.errors}}))
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shape", choices=("mixed", "one", "six"), default="mixed",
                    help="mixed: many interchanges in files of 12 MB and one big file; one: one interchange in "
                         "one file; six: six interchanges in one file (default mixed)")
    ap.add_argument("--mb", type=int, default=1024, help="size of the drop in MB (default 1024)")
    ap.add_argument("--batch-sets", type=int, default=None,
                    help="sets per batch of an interchange read in batches (default: flows.intake.BATCH_SETS)")
    ap.add_argument("--isx", action="store_true",
                    help="interchanges in 007040 with an ISX naming a release character, released '*' in names")
    ap.add_argument("--keep", action="store_true", help="keep the workspace (.bench/bigdrop)")
    ap.add_argument("--work", type=Path, default=WORK, help="the workspace (default .bench/bigdrop)")
    ap.add_argument("--stream-mb", type=float, default=None,
                    help="files over this are read in pieces (default: flows.intake.STREAM_BYTES)")
    ap.add_argument("--pos-per-interchange", type=int, default=PER_INTERCHANGE,
                    help=f"POs per interchange (default {PER_INTERCHANGE}; large: one interchange is read whole)")
    args = ap.parse_args(argv)
    work = args.work
    shutil.rmtree(work, ignore_errors=True)
    prepare(work, 0, batch="run")
    profile = work / "partners" / "acme.toml"
    profile.write_text(profile.read_text() + "\n[limits]\nmax_file_bytes = 4000000000\nmax_sets_per_file = 10000000\n")
    t = time.perf_counter()
    drop = write_drop(work, args.mb, args.pos_per_interchange, args.shape, args.isx)
    written = time.perf_counter() - t
    proc = subprocess.Popen([sys.executable, "-c", CHILD.format(root=str(ROOT), ws=str(work),
                                                         stream=None if args.stream_mb is None
                                                         else int(args.stream_mb * 1_000_000),
                                                         batch_sets=args.batch_sets)],
                            stdout=subprocess.PIPE, text=True)
    peak = TreePeak(proc.pid)
    peak.start()
    out, _ = proc.communicate()
    peak.done.set()
    peak.join()
    if proc.returncode:
        print(f"intake failed (exit {proc.returncode})", file=sys.stderr)
        return 1
    got = json.loads(out.strip().splitlines()[-1])
    state_mb = sum(p.stat().st_size for p in (work / "state").rglob("*") if p.is_file()) / 1e6
    print(f"bigdrop  {args.shape}{' isx' if args.isx else ''}: {drop['bytes'] / 1e6:,.0f} MB in {drop['files']} files "
          f"({drop['interchanges']:,} interchanges, "
          f"{drop['pos']:,} POs, {drop['lines']:,} lines; written in {written:.1f} s)")
    print(f"intake   wall {got['wall']:.1f} s  cpu {got['cpu']:.1f} s  peak RSS (process tree) "
          f"{peak.peak / 2**20:,.0f} MB  orders {got['orders']:,}  files processed {got['processed']} "
          f"quarantined {got['quarantined']}  errors {got['errors']}  state {state_mb:,.0f} MB")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
