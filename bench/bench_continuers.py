"""What reading who carries on whose orders ([continues]) costs a night of many partners: bench_partners'
workspace of N partners (default 200; one PO of one line each) in which every --every-th partner continues the one
before it (p0001 continues p0000, ...; effective before the run clock), one real night in this process
(flows.night.run_night, InProcess stages) with Workspace.continuers_of and Workspace.runnable_partner counted and
timed. Printed: the night's wall seconds, the calls of each, their total seconds and ms a call, and their share of
the night. Measured, never asserted.

    .venv/bin/python bench/bench_continuers.py [--partners 200] [--every 10] [--keep DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_night import CLOCK  # noqa: E402
from bench.bench_partners import prepare  # noqa: E402


def _continuing(root: Path, n: int, every: int) -> int:
    """Every ``every``-th partner's profile given [continues] naming the partner before it; how many."""
    pairs = 0
    for i in range(1, n, every):
        path = root / "partners" / f"p{i:04d}.toml"
        path.write_text(path.read_text() + f'\n[continues]\npartner = "p{i - 1:04d}"\neffective = 2026-11-01\n')
        pairs += 1
    return pairs


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--partners", type=int, default=200)
    ap.add_argument("--every", type=int, default=10)
    ap.add_argument("--keep", type=Path, default=None)
    args = ap.parse_args(argv)

    from flows import night
    from flows.workspace import Workspace

    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-continuers-")) / "ws"
    prepare(root, args.partners, 1, 1)
    pairs = _continuing(root, args.partners, args.every)
    spent: dict[str, list[float]] = {"continuers_of": [], "runnable_partner": []}

    def timed(name: str):
        real = getattr(Workspace, name)

        def call(self, *a, **kw):
            t = time.perf_counter()
            try:
                return real(self, *a, **kw)
            finally:
                spent[name].append(time.perf_counter() - t)
        return call

    for name in spent:
        setattr(Workspace, name, timed(name))
    t0 = time.perf_counter()
    summary = night.run_night(str(root), stages=night.InProcess(delays=[]), now=CLOCK, use_gx=False)
    wall = time.perf_counter() - t0
    print(f"{args.partners} partners, {pairs} continuing another; night {wall:.1f} s wall"
          f"{' (failed: ' + summary['failure'] + ')' if summary.get('failure') else ''}")
    for name, times in spent.items():
        secs, ms = sum(times), sorted(1000 * t for t in times) or [0.0]
        print(f"  {name}: {len(times)} calls, {secs:.3f} s ({100 * secs / wall:.2f}% of the night), a call "
              f"median {ms[len(ms) // 2]:.3f} ms, p90 {ms[int(len(ms) * 0.9)]:.3f} ms, max {ms[-1]:.1f} ms")
    print("  (continuers_of's calls are within runnable_partner's)")


if __name__ == "__main__":
    main()
