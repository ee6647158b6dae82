"""Reading files whose interchanges switch delimiters: 1,000 / 2,000 / 4,000 interchanges alternating
'*' and '|' (the demo's acme-po-01 and its '|' copy). Time should grow linearly with the count
(it grew quadratically: 8.8 / 30 / 107 s before the reader split each run once)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from parsers.x12_reader import read_interchanges  # noqa: E402

STAR = (Path(__file__).resolve().parent.parent / "sample_files" / "drops" / "acme" / "acme-po-01.x12").read_bytes()
PIPE = STAR.replace(b"*", b"|")


def main() -> None:
    read_interchanges(STAR + PIPE)  # imports and first-call costs out of the timing
    rows = []
    for n in (1000, 2000, 4000):
        data = (STAR + PIPE) * (n // 2)
        t0 = time.perf_counter()
        result = read_interchanges(data)
        seconds = time.perf_counter() - t0
        assert len(result.interchanges) == n
        rows.append({"interchanges": n, "mb": round(len(data) / 1e6, 2), "seconds": round(seconds, 2)})
        print(f"{n:>6,} interchanges, {len(data) / 1e6:5.2f} MB: {seconds:6.2f} s "
              f"({seconds / n * 1e3:.2f} ms per interchange)")
    print(json.dumps({"bench": "delimiter_switching", "runs": rows}))


if __name__ == "__main__":
    main()
