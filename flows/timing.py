"""Stage timings for `make bench`: when ORDERBRIDGE_STAGE_TIMES names a file, each timed stage appends
one JSON line to it (stage, partner, wall and CPU seconds). Nothing is written otherwise, and no
output of a run depends on it. Owns no run logic."""

from __future__ import annotations

import json
import os
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
               "cpu": round(time.process_time() - self.cpu, 4), "pid": os.getpid()}
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(row) + "\n")


@contextmanager
def timed(stage: str, partner: str = "") -> Iterator[None]:
    lap = Lap(stage, partner)
    try:
        yield
    finally:
        lap.stop()
