"""Benchmark the console and `orderbridge status` on a state store holding 100,000 orders (2 million
lines, their history, documents and findings), written row by row straight into SQLite (no night of
EDI), kept in .bench/console-<orders>/ and reused while its shape is unchanged.

Prints one JSON line per figure: the console's order page and PO search over HTTP (a real uvicorn
server on 127.0.0.1, the way a browser asks), other searches, the approvals queue, and
`orderbridge status PO` as a new process (start-up included). Times are wall-clock milliseconds.

    .venv/bin/python bench/bench_console.py            # 100,000 orders x 20 lines
    .venv/bin/python bench/bench_console.py 20000      # another size
"""

from __future__ import annotations

import json
import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from connectors.state import EVENT_COLUMNS, LINE_COLUMNS, ORDER_COLUMNS, SCHEMA_VERSION, StateStore  # noqa: E402

SHAPE = "console-bench-2"  # change when the synthetic store changes
PARTNERS = ["acme", "globex", "initech", "umbrella", "wonka"]
LINES = 20
SKUS = 2000
STATES = [("acknowledged", 85), ("held", 5), ("rejected", 3), ("cancelled", 2), ("received", 5)]
DAY0 = date(2026, 1, 1)


def build(root: Path, orders: int) -> Path:
    """A workspace whose store holds ``orders`` orders (LINES lines each), made in one transaction."""
    path = root / "state" / "orderbridge.sqlite"
    marker = root / "shape.json"
    # the store's schema version is part of the key: a store built before a migration is built again, so a
    # column added to the store is met here (and by tests/test_benches_run) on the day it lands, not on a clean clone
    key = {"shape": SHAPE, "orders": orders, "schema": SCHEMA_VERSION}
    if path.is_file() and marker.is_file() and json.loads(marker.read_text()) == key:
        return path
    shutil.rmtree(root, ignore_errors=True)
    StateStore(path).close()  # the schema and its indices, at the current version
    rnd = random.Random(7)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous=OFF")
    db.execute("BEGIN")
    states = [s for s, w in STATES for _ in range(w)]
    order_rows, line_rows, event_rows, doc_rows, set_rows, finding_rows = [], [], [], [], [], []
    seq = doc_id = 0
    for i in range(orders):
        partner = PARTNERS[i % len(PARTNERS)]
        po = f"{partner.upper()}-{i:07d}"
        state = rnd.choice(states)
        po_date = DAY0 + timedelta(days=i * 365 // orders)
        received = f"{po_date + timedelta(days=1)}T02:00:00"
        sha = f"{i // 50:064x}"
        answered = state in ("acknowledged", "rejected")
        value = f"{rnd.randint(100, 500000) / 100:.2f}" if state == "acknowledged" else "0"
        row = dict.fromkeys(ORDER_COLUMNS)
        row.update(partner=partner, po_number=po, state=state, revision=1, answered_revision=int(answered),
                   source_file=f"{partner}-{i // 50:05d}.x12", source_sha256=sha, isa13=f"{i // 50:09d}", gs06="1",
                   st02=f"{i % 50 + 1:04d}", arrival=i + 1, purpose="00", x12_version="004010",
                   po_date=po_date.isoformat(), currency="USD", value=value,
                   ack_type="AC" if answered else "", answered_with="855" if answered else "",
                   hold_codes="PRICE_BELOW_LIST" if state == "held" else "",
                   hold_reasons=json.dumps(["PO104 is below our price"] if state == "held" else []),
                   codes="", changed_lines="", line_count=LINES, received_at=received, updated_at=received,
                   run_id=received[:10])
        order_rows.append(tuple(row[c] for c in ORDER_COLUMNS))
        line_state = {"acknowledged": "allocated", "rejected": "rejected", "cancelled": "cancelled"}.get(state,
                                                                                                       "received")
        for n in range(1, LINES + 1):
            qty = rnd.randint(1, 48)
            line = dict.fromkeys(LINE_COLUMNS, "")  # a column added later defaults to empty text
            line.update(partner=partner, po_number=po, line_number=n, line_id=str(n),
                        sku=f"SKU-{rnd.randrange(SKUS):05d}", state=line_state,
                        ack="IA" if line_state == "allocated" else "", ordered=str(qty), unit="EA",
                        unit_price="19.7", ack_price=None, allocated=qty if line_state == "allocated" else 0,
                        backordered=0, rejected=0, promised_date=None, warehouses="DC1", reason="", codes="",
                        revision=1, run_id=received[:10], shipped="0", invoiced="0")
            line_rows.append(tuple(line[c] for c in LINE_COLUMNS))
        events = [("po_received", None, "received")]
        if answered:
            events += [("allocated", "received", "received"), (state, "received", state)]
        elif state in ("held", "cancelled"):
            events.append((state, "received", state))
        for event, before, after in events:
            seq += 1
            doc = None
            if event in ("acknowledged", "rejected"):
                doc_id += 1
                doc = doc_id
                doc_rows.append((doc_id, partner, "855", f"{partner}-855-{doc_id:09d}.x12", f"{doc_id:09d}", "1",
                                 b"ISA*...~", "delivered", received, received, received[:10]))
                set_rows.append((partner, f"855:{po}:1", doc_id, 1, "855", "0001", "1", po, sha, "", ""))
            event_rows.append((seq, partner, po, received, "run", event, before, after, 1, "system", "", received[:10],
                               doc))
        if state == "held":
            finding_rows.append((len(finding_rows) + 1, received[:10], "decide", partner, po, "PRICE_BELOW_LIST",
                                 "error", "PO104 is below our price", f"{partner}-{i // 50:05d}.x12", "", "", "",
                                 "PO1", 1, 1, "PO104", "1", 1, "PO1", "order held"))
    db.executemany(f"INSERT INTO orders ({', '.join(ORDER_COLUMNS)}) VALUES ({','.join('?' * len(ORDER_COLUMNS))})",
                   order_rows)
    db.executemany(f"INSERT INTO order_lines ({', '.join(LINE_COLUMNS)}) VALUES"
                   f" ({','.join('?' * len(LINE_COLUMNS))})", line_rows)
    db.executemany(f"INSERT INTO order_events ({', '.join(EVENT_COLUMNS)}) VALUES"
                   f" ({','.join('?' * len(EVENT_COLUMNS))})", event_rows)
    db.executemany("INSERT INTO documents (id, partner, doc_type, file_name, isa13, gs06, content, status, created_at,"
                   " delivered_at, run_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)", doc_rows)
    db.executemany("INSERT INTO document_sets (partner, doc_key, document_id, position, set_id, st02, gs06, po_number,"
                   " source_sha256, answers_isa13, answers_gs06) VALUES (?,?,?,?,?,?,?,?,?,?,?)", set_rows)
    db.executemany("INSERT INTO findings (id, run_id, stage, partner, po_number, code, severity, message, file, isa13,"
                   " gs06, st02, segment_id, segment_position, file_segment, element, value, line_number, loop_id,"
                   " consequence) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", finding_rows)
    for name, last in (("event", seq), ("document", doc_id), ("finding", len(finding_rows)), ("arrival", orders)):
        db.execute("UPDATE sequences SET last=? WHERE name=?", (last, name))
    db.execute("COMMIT")
    db.close()
    marker.write_text(json.dumps(key))
    return path


def timed_get(url: str) -> tuple[float, int, int]:
    t = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as r:  # noqa: S310 - loopback only
        body = r.read()
        status = r.status
    return (time.perf_counter() - t) * 1000, status, len(body)


def figures(name: str, urls: list[str], check: str | None = None) -> dict:
    times = []
    for url in urls:
        ms, status, size = timed_get(url)
        if status != 200:
            raise SystemExit(f"{name}: {url} answered {status}")
        times.append(ms)
    out = {"figure": name, "requests": len(times), "first_ms": round(times[0], 1),
           "median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1)}
    print(json.dumps(out), flush=True)
    return out


def main() -> None:
    orders = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    root = REPO / ".bench" / f"console-{orders}"
    t = time.perf_counter()
    path = build(root, orders)
    db = sqlite3.connect(path)
    counts = {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]  # noqa: S608 - fixed names
              for t in ("orders", "order_lines", "order_events", "document_sets")}
    db.close()
    print(json.dumps({"figure": "store", "build_or_reuse_s": round(time.perf_counter() - t, 1), **counts,
                      "size_mb": round(path.stat().st_size / 2**20)}), flush=True)

    from tests.support_console import ConsoleServer  # a real server on 127.0.0.1, as in the tests

    rnd = random.Random(11)
    picks = [rnd.randrange(orders) for _ in range(30)]
    pos = [(PARTNERS[i % len(PARTNERS)], f"{PARTNERS[i % len(PARTNERS)].upper()}-{i:07d}") for i in picks]
    with ConsoleServer(root) as s:
        q = urllib.parse.urlencode
        figures("console order page (20 lines, history, documents)",
                [f"{s.url}/order?{q({'partner': p, 'po': po})}" for p, po in pos])
        figures("console PO search (exact PO number)", [f"{s.url}/orders?{q({'po': po})}" for _, po in pos])
        figures("console PO search (PO number beginning, 50 a page)",
                [f"{s.url}/orders?{q({'po': po[:-2]})}" for _, po in pos])
        figures("console PO search (a part of it, any case: no beginning matches, every PO number looked over)",
                [f"{s.url}/orders?{q({'po': po[-6:].lower() + 'x'})}" for _, po in pos[:10]])
        figures("console search by item (SKU)",
                [f"{s.url}/orders?{q({'sku': f'SKU-{rnd.randrange(SKUS):05d}'})}" for _ in range(10)])
        figures("console search by partner and status",
                [f"{s.url}/orders?{q({'partner': p, 'state': 'held'})}" for p in PARTNERS * 2])
        figures("console search by PO date range",
                [f"{s.url}/orders?{q({'since': f'2026-0{m}-01', 'until': f'2026-0{m}-10'})}" for m in range(1, 10)])
        figures("console search, worst cases (a date range nothing matches; one partner's page 400)",
                [f"{s.url}/orders?{q({'since': '2027-06-01'})}",
                 f"{s.url}/orders?{q({'partner': 'acme', 'page': 400})}"] * 2)
        figures("console orders page (newest, no filter)", [f"{s.url}/orders"] * 5)
        figures("console approvals queue (first page of the held orders)", [f"{s.url}/approvals"] * 5)
        figures("console approvals queue narrowed (a partner, a reason, PO dates)",
                [f"{s.url}/approvals?{q({'partner': p, 'reason': 'PRICE_BELOW_LIST', 'since': '2026-03-01'})}"
                 for p in PARTNERS])
        figures("console runs page", [f"{s.url}/runs"] * 3)

    exe = str(Path(sys.executable).with_name("orderbridge"))
    times, cpu = [], []
    for partner, po in pos[:7]:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        out = subprocess.run([exe, "status", po, "--partner", partner, "-w", str(root)], capture_output=True,
                             text=True)
        times.append((time.perf_counter() - t) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
        if out.returncode != 0 or po not in out.stdout:
            raise SystemExit(f"status {po} failed: {out.stderr[-500:]}")
    print(json.dumps({"figure": "orderbridge status PO (new process, start-up included)", "runs": len(times),
                      "first_ms": round(times[0], 1), "median_ms": round(statistics.median(times), 1),
                      "max_ms": round(max(times), 1), "cpu_median_ms": round(statistics.median(cpu), 1),
                      "load_average_1m": round(os.getloadavg()[0], 2), "cores": os.cpu_count()}), flush=True)


if __name__ == "__main__":
    main()
