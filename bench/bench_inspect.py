"""`orderbridge inspect --json` on the synthetic 850 drop (bench/bench_parse.py's: 10,000 POs x 20 lines),
the whole command as a person runs it (a fresh process: start-up, imports, parse, checks, JSON to a
pipe), against pyx12's reader merely iterating the same file in its own fresh process. The aim: the
whole command at least 5 times faster. Each side runs REPEATS times, alternating; the best of each counts.

    .venv/bin/python bench/bench_inspect.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_parse import LINES, POS, drop_path  # noqa: E402

REPEATS = 2
AIM = 5.0


def _timed(argv: list[str]) -> tuple[float, float, int, float]:
    """(wall seconds, peak RSS MB, bytes written to stdout, CPU seconds) of one fresh process. On a
    busy machine the CPU seconds (user + system) say more than the wall time."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT)
    size = 0
    while chunk := proc.stdout.read(1 << 20) if proc.stdout else b"":
        size += len(chunk)
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):  # inspect exits 1 when the file has error findings
        raise SystemExit(f"{argv[:3]} failed with exit status {code}")
    return seconds, usage.ru_maxrss / 1024, size, usage.ru_utime + usage.ru_stime


PYX12 = ("from pyx12.x12file import X12Reader\n"
         "import sys\n"
         "with open(sys.argv[1], encoding='latin-1') as fd:\n"
         "    reader = X12Reader(fd)\n"
         "    n = sum(1 for _ in reader)\n"
         "print(n)\n")


def main() -> int:
    path = drop_path()
    if not path.is_file():
        subprocess.run([sys.executable, str(ROOT / "bench" / "bench_parse.py"), "--child", "generate", str(path)],
                       check=True, cwd=ROOT)
    size = path.stat().st_size
    ours_cmd = [str(Path(sys.executable).parent / "orderbridge"), "inspect", "--json", str(path)]
    theirs_cmd = [sys.executable, "-c", PYX12, str(path)]
    ours, theirs = [], []
    for _ in range(REPEATS):
        ours.append(_timed(ours_cmd))
        theirs.append(_timed(theirs_cmd))
    best_ours, best_theirs = min(ours), min(theirs)
    ratio = best_theirs[0] / best_ours[0]
    cpu_ratio = min(r[3] for r in theirs) / min(r[3] for r in ours)
    print(f"drop: {path.relative_to(ROOT)}  {size / 1e6:.1f} MB, {POS:,} POs x {LINES} lines")
    print(f"orderbridge inspect --json (whole command, fresh process): {best_ours[0]:6.2f} s  peak RSS "
          f"{best_ours[1]:4.0f} MB  JSON {best_ours[2] / 1e6:.1f} MB  (runs: {', '.join(f'{r[0]:.2f}' for r in ours)})")
    print(f"pyx12 X12Reader iterating (fresh process):                {best_theirs[0]:6.2f} s  peak RSS "
          f"{best_theirs[1]:4.0f} MB  (runs: {', '.join(f'{r[0]:.2f}' for r in theirs)})")
    print(f"inspect --json is {ratio:.1f}x faster than pyx12 merely reading (wall), {cpu_ratio:.1f}x (CPU "
          f"seconds: {min(r[3] for r in ours):.2f} against {min(r[3] for r in theirs):.2f})"
          + ("" if ratio >= AIM else f"  (wall time below the {AIM:.0f}x aim; is the machine busy? see `uptime`)"))
    print(json.dumps({"bench": "inspect_json", "file_mb": size / 1e6, "ratio": ratio, "cpu_ratio": cpu_ratio,
                      "load_average": os.getloadavg()[0], "ours_seconds": best_ours[0],
                      "pyx12_seconds": best_theirs[0], "ours_peak_rss_mb": best_ours[1],
                      "json_mb": best_ours[2] / 1e6}, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
