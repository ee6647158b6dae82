"""Benchmark finding the releases that name a blanket by its contract (REF*CT: an ERP's release orders, BEG03 their
own PO number; flows.releases.releases_by_ref, which decide's blanket checks, a blanket's cancellation and `status`
of a blanket call) on a Fastenal workspace whose history holds many such releases: the blanket FAS8900401 and
RELEASES release orders, each its own file taken through a real intake night (so each has its own stored table),
every tenth naming FAS8900401 by REF*CT and the others another contract. Prints one JSON line: the releases found,
the stored tables read (OrderStore.load calls) and the seconds (min of 5 runs) of one lookup.

    .venv/bin/python bench/bench_releases_by_ref.py          # 600 release orders
    .venv/bin/python bench/bench_releases_by_ref.py 2000     # another number
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def releases_night(root: Path, releases: int):
    """Fastenal's workspace under ``root`` after one intake night of the blanket FAS8900401 and ``releases`` release
    orders, each its own file (its own stored table), every tenth naming the blanket by REF*CT: (the workspace, the
    night's seconds). Shared with bench/bench_blanket_refs_fill.py."""
    from tests.retailer_support import recounted
    from tests.support import run_stages
    from tests.test_rg89c import BLANKET
    from tests.test_rg89e import DROPS, NIGHT, RELEASE_FILE, _blanket_850, _night

    first = (DROPS / RELEASE_FILE).read_text()
    ws = _night(root, "bench", {"FAS850_FAS8900401_0000.x12": _blanket_850()})
    inbox = ws.drop_root / "fastenal" / "inbox"
    for n in range(releases):
        po, contract, control = f"45{n:08d}", BLANKET if n % 10 == 0 else f"46{n:08d}", 100000 + n
        text = first.replace(f"BEG*00*RL*{BLANKET}*0001*20261124~",
                             f"BEG*00*RL*{po}**20261124~\nREF*CT*{contract}~")
        text = text.replace("000089014", f"{control:09d}").replace("*89014*", f"*{control}*").replace(
            "GE*1*89014", f"GE*1*{control}")
        (inbox / f"FAS850_{po}.x12").write_bytes(recounted(text.encode()))
    started = time.perf_counter()
    run_stages(ws, NIGHT)
    return ws, time.perf_counter() - started


def main(releases: int) -> None:
    from connectors.order_store import OrderStore
    from connectors.state import StateStore
    from flows.releases import releases_by_ref
    from tests.test_rg89c import BLANKET

    with tempfile.TemporaryDirectory() as tmp:
        ws, built = releases_night(Path(tmp), releases)
        state, store = StateStore(ws.state_url), OrderStore(ws.orders_dir)
        under = list(state.orders_for({("fastenal", BLANKET)}).values())
        loads = 0
        load = store.load

        def counted(*args, **kwargs):
            nonlocal loads
            loads += 1
            return load(*args, **kwargs)

        store.load = counted  # type: ignore[method-assign]
        times, found = [], []
        for _ in range(5):
            loads = 0
            started = time.perf_counter()
            found = releases_by_ref(state, store, under)
            times.append(time.perf_counter() - started)
        state.close()
        print(json.dumps({"releases": releases, "found": len(found), "tables_read": loads,
                          "seconds": round(min(times), 4), "night_seconds": round(built, 1)}))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 600)
