"""Benchmark finding an order the way a buyer quotes it (flows.order_lookup; the console's orders search and
`orderbridge status`) on a state store of 10,000 orders x 20 lines (200,000 lines), each shipped order with its
shipment (BOL, tracking number), two cartons (SSCCs, labels) and its invoice, written straight into SQLite in a
temporary folder. Prints one JSON line per lookup: the CPU seconds (min of 5 runs) and SQLite's query plan of the
statements it runs, so a lookup that reads a whole table shows as SCAN.

    .venv/bin/python bench/bench_finding_orders.py          # 10,000 orders x 20 lines
    .venv/bin/python bench/bench_finding_orders.py 50000    # another number of orders
"""

from __future__ import annotations

import json
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from connectors.state import LINE_COLUMNS, ORDER_COLUMNS, StateStore  # noqa: E402

LINES = 20
PARTNERS = ["acme", "globex", "initech", "umbrella", "wonka"]


def build(path: Path, orders: int) -> None:
    StateStore(path).close()
    rnd = random.Random(94)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous=OFF")
    db.execute("BEGIN")
    order_rows, line_rows, ships, cartons, slines, invoices = [], [], [], [], [], []
    for i in range(orders):
        partner = PARTNERS[i % len(PARTNERS)]
        po = f"{i:013d}" if i % 2 else f"{partner.upper()}-{i:07d}"  # ERP numbers with zeros, prefixed ones
        shipped = i % 3 != 0
        row = dict.fromkeys(ORDER_COLUMNS)
        row.update(partner=partner, po_number=po, state="invoiced" if shipped else "acknowledged", revision=1,
                   answered_revision=1, source_file="f.x12", isa13="1", gs06="1", st02="0001", arrival=i + 1,
                   po_date="2026-11-26", currency="USD", value="10", line_count=LINES,
                   received_at=f"2026-11-27T02:{i % 60:02d}:00", ship_to_id=f"{i % 400:06d}")
        order_rows.append(tuple(row[c] for c in ORDER_COLUMNS))
        for n in range(1, LINES + 1):
            qty = rnd.randint(1, 48)
            short = shipped and i % 97 == 0 and n == 1
            line = dict.fromkeys(LINE_COLUMNS, "")
            line.update(partner=partner, po_number=po, line_number=n, line_id=str(n), sku=f"SKU-{rnd.randrange(2000)}",
                        state="invoiced" if shipped else "allocated", ordered=str(qty), unit="EA", allocated=qty,
                        backordered=0, rejected=0, revision=1,
                        shipped=str(qty - 1 if short else qty) if shipped else "0", invoiced="0")
            line_rows.append(tuple(line[c] for c in LINE_COLUMNS))
        if shipped:
            sid = f"SHP-{i:07d}"
            ships.append(("east", sid, partner, "2026-11-27", f"1Z{i:016d}", f"BOL-{i:07d}", "invoiced"))
            for k in range(2):
                label = f"C-{i:07d}-{k}"
                cartons.append(("east", sid, "P", label, f"0061414{2 * i + k:011d}", po))
                slines.append(("east", sid, k + 1, partner, po, k + 1, "SKU", "1", label))
            invoices.append((f"INV{i:07d}", partner, po, "2026-11-27", "east", sid, "10", "0", "10", f"810:{sid}"))
    db.executemany(f"INSERT INTO orders ({', '.join(ORDER_COLUMNS)}) VALUES ({','.join('?' * len(ORDER_COLUMNS))})",
                   order_rows)
    db.executemany(f"INSERT INTO order_lines ({', '.join(LINE_COLUMNS)}) VALUES ({','.join('?' * len(LINE_COLUMNS))})",
                   line_rows)
    db.executemany("INSERT INTO shipments (warehouse, shipment_id, partner, ship_date, tracking_number, bill_of_lading,"
                   " billing) VALUES (?,?,?,?,?,?,?)", ships)
    db.executemany("INSERT INTO cartons (warehouse, shipment_id, level, label, sscc, po_number) VALUES (?,?,?,?,?,?)",
                   cartons)
    db.executemany("INSERT INTO shipment_lines (warehouse, shipment_id, position, partner, po_number, line_number, sku,"
                   " quantity, carton) VALUES (?,?,?,?,?,?,?,?,?)", slines)
    db.executemany("INSERT INTO invoices (invoice_number, partner, po_number, invoice_date, warehouse, shipment_id,"
                   " merchandise, charges, total, doc_key) VALUES (?,?,?,?,?,?,?,?,?,?)", invoices)
    db.execute("COMMIT")
    db.close()


def cpu(fn, runs: int = 5) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(runs):
        t = time.process_time()
        out = fn()
        best = min(best, time.process_time() - t)
    return best, out


def plans(path: Path, store: StateStore, fn) -> list[str]:
    """SQLite's query plan of every statement ``fn`` runs (as it ran them, its values in place), one line per step:
    a lookup that reads a whole table shows as SCAN, one that goes through an index as SEARCH ... USING INDEX."""
    ran: list[str] = []
    store._db.set_trace_callback(ran.append)
    try:
        fn()
    finally:
        store._db.set_trace_callback(None)
    db = sqlite3.connect(path)
    try:
        return [r[3] for sql in ran if sql.lstrip().upper().startswith("SELECT")
                for r in db.execute("EXPLAIN QUERY PLAN " + sql)]
    finally:
        db.close()


def main() -> None:
    orders = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory(prefix="ob-bench-find-") as folder:
        path = Path(folder) / "orderbridge.sqlite"
        build(path, orders)
        store = StateStore(path)
        i = orders - 5 if (orders - 5) % 3 else orders - 4  # a shipped order near the end
        po = f"{i:013d}" if i % 2 else f"{PARTNERS[i % 5].upper()}-{i:07d}"
        looks = {
            "po loosely (PO# 45-..., no zeros)": lambda: store.search_orders(po_loose=po.replace("-", "").lstrip("0")),
            "po part (before: LIKE over every PO)": lambda: store.search_orders(po_part=po[-6:]),
            "store (ship-to N104)": lambda: store.search_orders(ship_to="17", limit=51),
            "store (N104, and orders whose SDQ names it)": lambda: store.search_orders(
                ship_to="17", store_orders=[(PARTNERS[k % 5], f"{k:013d}") for k in range(1, 40, 2)], limit=51),
            "shipped short": lambda: store.search_orders(shipped_short=True, limit=51),
            "invoice": lambda: store.quoted_documents(invoices=[f"INV{i:07d}"]),
            "shipment id": lambda: store.quoted_documents(shipments=[f"SHP-{i:07d}"], partners=PARTNERS),
            "tracking / BOL": lambda: store.quoted_documents(carrier_refs=[f"1Z{i:016d}"]),
            "SSCC": lambda: store.quoted_documents(ssccs=[f"0061414{2 * i:011d}"]),
            "carton label": lambda: store.quoted_documents(labels=[f"C-{i:07d}-1"])}
        for name, fn in looks.items():
            seconds, found = cpu(fn)
            print(json.dumps({"lookup": name, "orders": orders, "lines": orders * LINES, "cpu_s": round(seconds, 4),
                              "found": len(found), "plan": plans(path, store, fn)}))
        store.close()


if __name__ == "__main__":
    main()
