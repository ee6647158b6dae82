"""The reconciliation stage at volume, through the state store: a night of N POs x 20 lines (the bench
night of bench/bench_run.py: intake, decide, 855s, delivery), then half the POs shipped and invoiced by
recorded 856s and 810s and a partner 997 for every 855, then flows.reconcile.reconcile_run (store reads,
our documents' verdicts, the four-way match, the exceptions booked, the per-run and cumulative reports)
timed part by part. Prints one line per size; tests never assert times.

    .venv/bin/python bench/bench_reconcile_stage.py            # 1,000 and 10,000 POs
    .venv/bin/python bench/bench_reconcile_stage.py 10000
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _night(n_pos: int):
    """bench_run's drop and stock (intake, decide without GX, delivery) on a fresh workspace."""
    import shutil
    from datetime import date

    import pyarrow as pa

    from bench.bench_run import drop
    from connectors.local import LocalDrop
    from connectors.reference import load_reference
    from connectors.snapshots import write_receipts, write_snapshot
    from connectors.state import StateStore
    from flows import steps
    from flows.workspace import open_workspace
    from schemas.inventory import EXPECTED_RECEIPTS, INVENTORY_SNAPSHOT

    root = ROOT / ".bench" / f"reconcile-{n_pos}"
    shutil.rmtree(root, ignore_errors=True)
    ws = open_workspace(root)
    shutil.copytree(ROOT / "partners", ws.root / "partners")
    shutil.copytree(ROOT / "sample_files" / "reference", ws.root / "reference")
    customers = (ws.root / "reference" / "customers.csv").read_text().replace("acme,50000.00,", "acme,999999999.00,")
    (ws.root / "reference" / "customers.csv").write_text(customers)
    drop(ws.root, n_pos)
    rows = [{"as_of": date(2026, 11, 26), "warehouse": w, "sku": f"SKU-{n}", "on_hand": 10_000_000, "reserved": 0}
            for n in range(1001, 1031) for w in ("EAST", "WEST")]
    write_snapshot(ws.root / "inventory" / "snapshots", pa.Table.from_pylist(rows, schema=INVENTORY_SNAPSHOT))
    write_receipts(ws.root / "inventory" / "receipts.parquet", EXPECTED_RECEIPTS.empty_table())
    now = datetime(2026, 11, 27, 2)
    state = StateStore(ws.state_path)
    profiles = ws.partners()
    steps.intake_partner(ws, profiles["acme"], state, LocalDrop(ws.drop_root / "acme"), now=now, run_id="b")
    steps.decide_run(ws, profiles, state, load_reference(ws.reference_dir), steps.load_inventory(ws, now.date()),
                     now=now, run_id="b", use_gx=False)
    steps.deliver_partner(profiles["acme"], state, LocalDrop(ws.drop_root / "acme"), now=now)
    state.close()
    return ws


def _sent_elsewhere(ws, folder: Path) -> list[Path]:
    """856s and 810s for every other PO (all its lines, at the 855's prices), and ACME's 997 for every 855."""
    from connectors.state import StateStore
    from engine.envelope import Envelope, envelope_for, wrap

    state = StateStore(ws.state_path)
    try:
        lines = state.finance_lines().to_pylist()
        docs = [d for d in state.documents("acme") if d.doc_type == "855"]
    finally:
        state.close()
    profile = ws.partners()["acme"]
    env = envelope_for(profile)
    by_po: dict[str, list[dict]] = {}
    for ln in lines:
        by_po.setdefault(ln["po_number"], []).append(ln)
    pos = sorted(by_po)[::2]
    asns, bills = [], []
    for k, po in enumerate(pos):
        items = [ln for ln in by_po[po] if ln["allocated"]]
        if not items:
            continue
        body = [["BSN", "00", f"S-{k}", "20261203", "0900"], ["HL", "1", "", "S"], ["DTM", "011", "20261203", "0900"],
                ["HL", "2", "1", "O"], ["PRF", po]]
        for j, ln in enumerate(items, start=3):
            body += [["HL", str(j), "2", "I"], ["LIN", ln["line_id"]], ["SN1", "", str(ln["allocated"]), "EA"]]
        asns.append(body)
        bill = [["BIG", "20261204", f"B-{k}", "", po], ["REF", "SI", f"S-{k}"]]
        bill += [["IT1", ln["line_id"], str(ln["allocated"]), "EA", ln["ack_price"] or ln["unit_price"], "PE"]
                 for ln in items]
        bills.append(bill)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, fid, sid, bodies, isa in (("asns.x12", "SH", "856", asns, 800001), ("bills.x12", "IN", "810", bills,
                                                                                  800002)):
        path = folder / name
        path.write_bytes(wrap(env, fid, sid, bodies, isa13=isa, gs06=isa, st02s=list(range(1, len(bodies) + 1)),
                              now=datetime(2026, 12, 4, 10)))
        out.append(path)
    x = profile.x12
    theirs = Envelope(sender_qualifier=x.their_qualifier, sender_id=x.their_id, receiver_qualifier=x.our_qualifier,
                      receiver_id=x.our_id, gs_sender=x.their_gs_id, gs_receiver=x.our_gs_id, version=x.version,
                      usage=x.usage, delimiters=x.delimiters.to_delimiters())
    acks = [[["AK1", "PR", d.gs06], ["AK2", "855", st02], ["AK5", "A"], ["AK9", "A", "1", "1", "1"]]
            for d in docs for st02 in d.st02.split(",") if st02]
    (ws.drop_root / "acme" / "inbox" / "acme-997.x12").write_bytes(
        wrap(theirs, "FA", "997", acks, isa13=900001, gs06=900001, st02s=list(range(1, len(acks) + 1)),
             now=datetime(2026, 11, 27, 9)))
    return out


def run(n_pos: int) -> dict:
    from connectors.local import LocalDrop
    from connectors.state import StateStore
    from flows import reconcile as stage
    from flows import steps

    ws = _night(n_pos)
    files = _sent_elsewhere(ws, ws.root / "sent-elsewhere")
    state = StateStore(ws.state_path)
    t0 = time.perf_counter()
    for path in files:
        stage.record_documents(state, path, partner="acme", by="bench", note="", at=datetime(2026, 12, 4, 12))
    t1 = time.perf_counter()
    steps.intake_partner(ws, ws.partners()["acme"], state, LocalDrop(ws.drop_root / "acme"),
                         now=datetime(2026, 11, 28, 2), run_id="b2")
    t2 = time.perf_counter()
    now = datetime(2026, 12, 15, 2)
    original = {name: getattr(stage, name) for name in ("load_inputs", "match_acks", "reconcile", "write_reports",
                                                          "write_cumulative")}

    calls: dict[str, list[float]] = {}

    def timed(name):
        def call(*a, **kw):
            start = time.perf_counter()
            try:
                return original[name](*a, **kw)
            finally:
                calls.setdefault(name, []).append(time.perf_counter() - start)
        return call

    for name in original:
        setattr(stage, name, timed(name))
    t3 = time.perf_counter()
    result = stage.reconcile_run(ws, ws.partners(), state, now=now, run_id="r")
    t4 = time.perf_counter()
    lines = state.finance_lines().num_rows
    state.close()
    first = {name: times[0] for name, times in calls.items()}  # the cumulative report calls write_reports again
    own = t4 - t3 - sum(first.values())
    return {"pos": n_pos, "lines": lines, "record_s": round(t1 - t0, 2), "intake_997_s": round(t2 - t1, 2),
            "reconcile_s": round(t4 - t3, 2), "load_inputs_s": round(first["load_inputs"], 2),
            "match_acks_s": round(first["match_acks"], 2), "match_s": round(first["reconcile"], 2),
            "run_report_s": round(first["write_reports"], 2), "cumulative_s": round(first["write_cumulative"], 2),
            "book_and_save_s": round(own, 2), "exceptions": result.summary["exceptions"],
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        print(json.dumps(run(int(argv[1]))))
        return 0
    for n in [int(a) for a in argv] or [1000, 10000]:  # each size in a fresh process: its own peak RSS
        out = subprocess.run([sys.executable, __file__, "--child", str(n)], capture_output=True, text=True,
                             check=True, cwd=ROOT)
        print(out.stdout.strip().splitlines()[-1])
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
