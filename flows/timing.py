"""Stage timings for `make bench`: when ORDERBRIDGE_STAGE_TIMES names a file, each timed stage appends
one JSON line to it (stage, partner, wall and CPU seconds, the process's resident memory when the stage
ended and its peak so far, in MB). Nothing is written otherwise, and no
output of a run depends on it. Owns no run logic."""

from __future__ import annotations

import json
import os
import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager

ENV = "ORDERBRIDGE_STAGE_TIMES"


class Lap:
    """A stage's clock: started when made, recorded by ``stop()`` (when timings are asked for)."""

    def __init__(self, stage: str, partner: str = "") -> None:
        self.stage, self.partner = stage, partner
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def stop(self) -> None:
        path = os.environ.get(ENV)
        if not path:
            return
        row = {"stage": self.stage, "partner": self.partner, "seconds": round(time.perf_counter() - self.wall, 4),
               "cpu": round(time.process_time() - self.cpu, 4), "pid": os.getpid(), "rss_mb": _rss_mb(),
               "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(row) + "\n")


def _rss_mb() -> int | None:
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 2**20
    except (OSError, ValueError):
        return None


@contextmanager
def timed(stage: str, partner: str = "") -> Iterator[None]:
    lap = Lap(stage, partner)
    try:
        yield
    finally:
        lap.stop()
