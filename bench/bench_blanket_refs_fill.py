"""Benchmark store version 38 (BLANKET_REFS_READ) on a large store taken before version 36: a Fastenal workspace
whose history holds the blanket FAS8900401 and RELEASES release orders, each its own file taken through a real intake
night (each its own stored table: the worst case, one table read per order), every tenth naming FAS8900401 by REF*CT.
The store is then made what a version 35 store is (no contract or agreement columns, nor their indexes), opened (the
migration: 35 -> 38), and the next night's read of the older orders' numbers is timed
(flows.releases.fill_blanket_refs), then one lookup of the blanket's releases (flows.releases.releases_by_ref) before
and after it. Prints one JSON line.

    .venv/bin/python bench/bench_blanket_refs_fill.py          # 2000 release orders
    .venv/bin/python bench/bench_blanket_refs_fill.py 600      # another number
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def main(releases: int) -> None:
    from bench.bench_releases_by_ref import releases_night
    from connectors.order_store import OrderStore
    from connectors.state import StateStore
    from flows.releases import fill_blanket_refs, releases_by_ref
    from tests.test_blankets6 import as_version_35
    from tests.test_rg89c import BLANKET

    with tempfile.TemporaryDirectory() as tmp:
        ws, built = releases_night(Path(tmp), releases)
        as_version_35(ws)  # what a version 35 store is, with the orders it took
        started = time.perf_counter()
        state = StateStore(ws.state_url)  # 35 -> 38
        migrated = time.perf_counter() - started
        store = OrderStore(ws.orders_dir)
        under = list(state.orders_for({("fastenal", BLANKET)}).values())

        def lookup() -> tuple[int, float]:
            started = time.perf_counter()
            found = releases_by_ref(state, store, under)
            return len(found), time.perf_counter() - started

        found_before, before = lookup()
        started = time.perf_counter()
        filled, unread = fill_blanket_refs(state, store)
        fill = time.perf_counter() - started
        found_after, after = min((lookup() for _ in range(5)), key=lambda r: r[1])
        state.close()
        print(json.dumps({"releases": releases, "orders_filled": filled, "orders_unread": unread,
                          "migration_seconds": round(migrated, 4), "fill_seconds": round(fill, 3),
                          "lookup_before": {"found": found_before, "seconds": round(before, 4)},
                          "lookup_after": {"found": found_after, "seconds": round(after, 4)},
                          "night_seconds": round(built, 1)}))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
