"""Benchmark engine.reconcile (and the finance report and KPIs over its result) on a synthetic book:
10,000 POs x 20 lines = 200,000 lines ordered, acknowledged, mostly shipped and invoiced, with a few
percent of every kind of discrepancy. Prints one JSON line per size (best of 3 runs).

    .venv/bin/python bench/bench_reconcile.py            # 200k lines
    .venv/bin/python bench/bench_reconcile.py 400000     # another size
"""

from __future__ import annotations

import json
import resource
import sys
import time
from datetime import datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engine.columnar import decimal_array
from engine.dashboard import render_dashboard
from engine.exception_states import carry_states
from engine.finance_report import build_finance_report, render_html, to_csv
from engine.kpis import compute_kpis
from engine.reconcile import reconcile
from schemas.finance import FinanceSettings
from schemas.functional_acks import DOCUMENT_STATUS
from schemas.reconciliation import ACKNOWLEDGED, INVOICED, ORDERED, RECEIVED_FINDINGS, SHIPPED

AS_OF = datetime(2026, 12, 10, 6, 0)
PARTNERS = ["acme", "globex", "initech"]
LINES_PER_PO = 20


def _money(scaled: np.ndarray) -> pa.Array:
    return decimal_array(np.asarray(scaled, np.int64))


def _ids(prefix: str, values: np.ndarray) -> pa.Array:
    return pc.binary_join_element_wise(prefix, pa.array(values).cast(pa.string()), "")


def synthesize(n_lines: int, seed: int = 11) -> dict[str, pa.Table]:
    rng = np.random.default_rng(seed)
    n_pos = n_lines // LINES_PER_PO
    po = np.repeat(np.arange(n_pos), LINES_PER_PO)[:n_lines]
    line = (np.arange(n_lines) % LINES_PER_PO + 1).astype(np.int32)
    partner = np.array(PARTNERS)[po % len(PARTNERS)]
    po_number = _ids("PO-", po)
    qty = rng.integers(1, 48, n_lines) * 10_000
    price = rng.integers(100, 50_000, n_lines) * 100
    day0 = np.datetime64("2026-10-01")
    po_day = day0 + (po % 60).astype("timedelta64[D]")
    received = po_day.astype("datetime64[s]") + np.timedelta64(9, "h")
    cancelled = rng.random(n_lines) < 0.005
    cancel_at = np.where(cancelled, (po_day + np.timedelta64(5, "D")).astype("datetime64[s]"), np.datetime64("NaT"))
    doc = lambda kind, key: {"file": _ids(f"{kind}-", key), "isa13": pa.array(key).cast(pa.string()),  # noqa: E731
                             "gs06": pa.array(key).cast(pa.string()), "st02": pa.array(key % 10_000).cast(pa.string())}
    ordered = pa.table({
        "partner": partner, "po_number": po_number, "line_number": line, "line_id": pa.array(line).cast(pa.string()),
        "sku": _ids("SKU-", rng.integers(0, 50_000, n_lines)), "unit": pa.array(["EA"] * n_lines),
        "quantity": _money(qty), "unit_price": _money(price), "line_status": pa.array(["open"] * n_lines),
        "cancelled_at": pa.array(cancel_at, pa.timestamp("s")), "revision": pa.array(np.zeros(n_lines, np.int32)),
        "po_date": pa.array(po_day, pa.date32()), "requested_ship_date": pa.array(po_day + 10, pa.date32()),
        "received_at": pa.array(received, pa.timestamp("s")),
        "fa_sent_at": pa.array(received + np.timedelta64(17, "h"), pa.timestamp("s")),
        "currency": pa.array(["USD"] * n_lines), **doc("850", po),
    }, schema=ORDERED)
    # acknowledged: one IA per line at our price; 3 % at a changed price (IP), 2 % refused (IR)
    code = np.where(rng.random(n_lines) < 0.03, "IP", np.where(rng.random(n_lines) < 0.02, "IR", "IA"))
    ack_price = np.where(code == "IP", price - 100, price)
    acknowledged = pa.table({
        "partner": partner, "po_number": po_number, "line_number": line, "doc_type": pa.array(["855"] * n_lines),
        "ack_code": pa.array(code), "quantity": _money(qty), "unit": pa.array(["EA"] * n_lines),
        "unit_price": _money(ack_price), "promised_date": pa.array(po_day + 10, pa.date32()),
        "sent_at": pa.array(received + np.timedelta64(20, "h"), pa.timestamp("s")), **doc("855", po + 100_000),
    }, schema=ACKNOWLEDGED)
    # shipped: 92 % of lines, 2 % short, 1 % over
    ships = (rng.random(n_lines) < 0.92) & (code != "IR")
    ship_qty = np.where(rng.random(n_lines) < 0.02, qty // 2, np.where(rng.random(n_lines) < 0.01, qty + 10_000, qty))
    ship_qty = (ship_qty // 10_000) * 10_000
    shipped_at = (po_day + np.timedelta64(8, "D")).astype("datetime64[s]") + np.timedelta64(14, "h")
    s = np.flatnonzero(ships)
    shipped = pa.table({
        "partner": partner[s], "po_number": po_number.take(pa.array(s)), "line_number": line[s],
        "shipment_id": _ids("S-", po[s]), "shipped_at": pa.array(shipped_at[s], pa.timestamp("s")),
        "quantity": _money(ship_qty[s]), "unit": pa.array(["EA"] * len(s)), "cartons": pa.array(np.ones(len(s),
                                                                                                      np.int32)),
        "expected_delivery_at": pa.array(shipped_at[s] + np.timedelta64(3, "D"), pa.timestamp("s")),
        "asn_sent_at": pa.array(shipped_at[s] + np.timedelta64(1, "h"), pa.timestamp("s")),
        **doc("856", po[s] + 200_000),
    }, schema=SHIPPED)
    # invoiced: 95 % of what shipped, 1 % at a wrong price; 0.5 % duplicated
    inv = s[rng.random(len(s)) < 0.95]
    inv_price = np.where(rng.random(len(inv)) < 0.01, price[inv] + 500, ack_price[inv])
    dup = inv[rng.random(len(inv)) < 0.005]
    rows = np.r_[inv, dup]
    inv_price = np.r_[inv_price, ack_price[dup]]
    set_key = np.r_[po[inv] + 300_000, po[dup] + 400_000]
    invoiced = pa.table({
        "partner": partner[rows], "po_number": po_number.take(pa.array(rows)), "line_number": line[rows],
        "invoice_number": _ids("INV-", po[rows]), "invoice_date": pa.array(po_day[rows] + 9, pa.date32()),
        "shipment_id": _ids("S-", po[rows]), "quantity": _money(ship_qty[rows]), "unit": pa.array(["EA"] * len(rows)),
        "unit_price": _money(inv_price),
        "sent_at": pa.array((po_day[rows] + 9).astype("datetime64[s]") + np.timedelta64(2, "h"), pa.timestamp("s")),
        **doc("810", set_key),
    }, schema=INVOICED)
    return {"ordered": ordered, "acknowledged": acknowledged, "shipped": shipped, "invoiced": invoiced}


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    t0 = time.perf_counter()
    tables = synthesize(n)
    built = time.perf_counter() - t0
    settings = {p: FinanceSettings() for p in PARTNERS}
    rng = np.random.default_rng(5)
    shuffled = {k: t.take(pa.array(rng.permutation(t.num_rows))) for k, t in tables.items()}
    timings: dict[str, tuple[float, float]] = {}
    result = None
    for label, data in (("sorted", tables), ("shuffled", shuffled)):
        best_wall = best_cpu = float("inf")
        for _ in range(3):
            t0, c0 = time.perf_counter(), time.process_time()
            result = reconcile(data["ordered"], data["acknowledged"], data["shipped"], data["invoiced"],
                               DOCUMENT_STATUS.empty_table(), settings=settings, as_of=AS_OF)
            best_wall = min(best_wall, time.perf_counter() - t0)
            best_cpu = min(best_cpu, time.process_time() - c0)
        timings[label] = (best_wall, best_cpu)
    assert result is not None
    # what a night does next with it: carry states, the finance report (tables + page), the KPIs and dashboard
    stages: dict[str, float] = {}
    t0 = time.perf_counter()
    merged, _ = carry_states(result.exceptions, result.exceptions, at=AS_OF)
    stages["carry_states_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    report = build_finance_report(result.lines, merged, result.evidence, previous=result.exceptions, as_of=AS_OF)
    stages["finance_tables_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    html = render_html(report)
    stages["finance_html_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    csv_bytes = sum(len(to_csv(t)) for t in report.tables().values())
    stages["finance_csv_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    kpis = compute_kpis(result.lines, tables["ordered"], tables["acknowledged"], tables["shipped"],
                        tables["invoiced"], DOCUMENT_STATUS.empty_table(), RECEIVED_FINDINGS.empty_table(),
                        merged, settings=settings, as_of=AS_OF)
    stages["kpis_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    dashboard = render_dashboard(kpis)
    stages["dashboard_html_s"] = time.perf_counter() - t0
    counts = result.exceptions.group_by("type").aggregate([("type", "count")]).to_pylist()
    print(json.dumps({
        "bench": "reconcile", "lines": n, "ack_rows": tables["acknowledged"].num_rows,
        "shipped_rows": tables["shipped"].num_rows, "invoiced_rows": tables["invoiced"].num_rows,
        "exceptions": result.exceptions.num_rows, "evidence_rows": result.evidence.num_rows,
        "by_type": {c["type"]: c["type_count"] for c in counts},
        **{f"reconcile_{k}_wall_s": round(v[0], 3) for k, v in timings.items()},
        **{f"reconcile_{k}_cpu_s": round(v[1], 3) for k, v in timings.items()},
        **{k: round(v, 3) for k, v in stages.items()},
        "finance_html_mb": round(len(html) / 1e6, 2), "finance_csv_mb": round(csv_bytes / 1e6, 1),
        "dashboard_html_kb": round(len(dashboard) / 1e3),
        "synthesize_s": round(built, 2), "load_average_1m": round(__import__("os").getloadavg()[0], 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }))


if __name__ == "__main__":
    main()
