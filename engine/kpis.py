"""The KPIs of the dashboard as pure functions over the reconciliation tables; the run clock and the
partners' FinanceSettings are arguments. Rates are fractions (0..1), durations hours, money decimals.
Must not render anything (engine.dashboard draws them) nor read the state store.

Definitions (a "due" line: not cancelled, ordered, and its due date - the earliest promised ship date of
the current 855/865, else the requested ship date - is on or before the run date):
  volume          per partner and PO period: distinct POs and order lines (cancelled ones included).
  fill rate       lines: due lines shipped in full (shipped >= ordered) / due lines;
                  units: sum of min(shipped, ordered) / sum of ordered, over due lines.
  perfect orders  POs with a due line whose due lines all shipped in full by their due date (last
                  shipment's date <= due date) and that have no exception at all in this run / POs with a
                  due line.
  cycle times     per PO, hours: received -> first 855/865 sent; first 855/865 -> first shipment
                  departed; first shipment -> first 810 sent (its first sending: an 810 ops sent again under
                  new numbers is timed by when it first went, INVOICED_FIRST_SENT). Median and mean per partner.
  error rate      per partner and rule (finding code, errors only): POs with at least one such finding /
                  POs received (in ORDERED or named by a finding); "(any rule)" for all rules together;
                  findings above the order (file, envelope) are counted apart. The findings are those about
                  what partners sent (engine.finance_inputs.received_findings): a partner's rejection of a
                  document of ours (PARTNER_VERDICTS) is not among them (DOCUMENT_REJECTED, chargeback risk).
  SLA compliance  "997 within window": our 997 for a PO's group sent within ack_997_hours of its arrival
                  (a CSV order is in no group: not measured);
                  "855 within window": our first 855 (a CSV partner's: its CSV acknowledgment, read as
                  its 855 by engine.finance_inputs.csv_acknowledged) within ack_855_hours (not measured for a partner
                  taking no 855: FinanceSettings.expects_855); "ASN before arrival": our 856
                  sent before the expected delivery, or within asn_window_minutes of departure when no
                  delivery time is known; "partner 997 within window": partners' 997s for our documents
                  within ack_997_hours (from DOCUMENT_STATUS). Rate = met / measured; an unmet deadline
                  that is still in the future is not measured yet.
  chargeback risk per partner and incident (schemas.finance.INCIDENTS): incidents x the profile's penalty.
                  late_997 / late_855 / late_asn = measured - met of the SLAs above; rejected_asn /
                  rejected_invoice = our 856s / 810s the partner's 997 rejected; invoice_price_mismatch /
                  over_shipment = exceptions of those types.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engine.columnar import period_labels, second_number
from schemas.finance import INCIDENTS, FinanceSettings, settings_for
from schemas.orders import MONEY
from schemas.reconciliation import (
    ACKNOWLEDGED,
    DOCUMENT_STATUS,
    EXCEPTIONS,
    INVOICED,
    INVOICED_FIRST_SENT,
    LINE_MATCH,
    ORDERED,
    RECEIVED_FINDINGS,
    SHIPPED,
)

Period = Literal["month", "week", "day"]
SLAS = ("997 within window", "855 within window", "ASN before arrival", "partner 997 within window")
STAGES = ("received -> acknowledged", "acknowledged -> shipped", "shipped -> invoiced")
ANY_RULE = "(any rule)"
CSV_ORDER = "CSV"  # the ISA13 of a CSV order's lineage (parsers.csv_orders): no X12 group, no 997 answers it

VOLUME = pa.schema([("partner", pa.string()), ("period", pa.string()), ("orders", pa.int64()), ("lines", pa.int64())])
FILL = pa.schema([("partner", pa.string()), ("lines_due", pa.int64()), ("lines_filled", pa.int64()),
                  ("line_fill_rate", pa.float64()), ("units_due", pa.float64()), ("units_filled", pa.float64()),
                  ("unit_fill_rate", pa.float64())])
PERFECT = pa.schema([("partner", pa.string()), ("orders_due", pa.int64()), ("perfect_orders", pa.int64()),
                     ("perfect_order_rate", pa.float64())])
CYCLE = pa.schema([("partner", pa.string()), ("stage", pa.string()), ("orders", pa.int64()),
                   ("median_hours", pa.float64()), ("mean_hours", pa.float64())])
ERRORS = pa.schema([("partner", pa.string()), ("code", pa.string()), ("findings", pa.int64()),
                    ("orders_affected", pa.int64()), ("orders_received", pa.int64()), ("file_findings", pa.int64()),
                    ("rate", pa.float64())])
SLA = pa.schema([("partner", pa.string()), ("sla", pa.string()), ("met", pa.int64()), ("measured", pa.int64()),
                 ("rate", pa.float64())])
CHARGEBACKS = pa.schema([("partner", pa.string()), ("incident", pa.string()), ("incidents", pa.int64()),
                         ("penalty", MONEY), ("amount", MONEY)])


@dataclass(frozen=True, slots=True)
class Kpis:
    as_of: datetime
    volume: pa.Table  # VOLUME
    fill: pa.Table  # FILL
    perfect: pa.Table  # PERFECT
    cycle: pa.Table  # CYCLE
    errors: pa.Table  # ERRORS
    sla: pa.Table  # SLA
    chargebacks: pa.Table  # CHARGEBACKS
    currency: dict[str, str]
    # per partner, currency and status, the invoices partners' 820s and 812s paid, short-paid ... (schemas.remittance
    # REMITTANCE_KPIS, engine.remittance.remittance_kpis); None: not counted (no remittance was read)
    remittance: pa.Table | None = None

    def tables(self) -> dict[str, pa.Table]:
        return {"volume": self.volume, "fill_rate": self.fill, "perfect_orders": self.perfect,
                "cycle_times": self.cycle, "error_rate": self.errors, "sla": self.sla,
                "chargeback_risk": self.chargebacks,
                **({"remittance": self.remittance} if self.remittance is not None else {})}


def compute_kpis(lines: pa.Table, ordered: pa.Table, acknowledged: pa.Table, shipped: pa.Table, invoiced: pa.Table,
                 document_status: pa.Table, findings: pa.Table, exceptions: pa.Table, *,
                 settings: Mapping[str, FinanceSettings], as_of: datetime, period: Period = "month") -> Kpis:
    """Every KPI from LINE_MATCH (engine.reconcile), the four input sides, DOCUMENT_STATUS, the received
    findings (RECEIVED_FINDINGS) and this run's EXCEPTIONS."""
    lines = lines.select(LINE_MATCH.names).cast(LINE_MATCH)
    ordered = ordered.select(ORDERED.names).cast(ORDERED)
    acknowledged = acknowledged.select(ACKNOWLEDGED.names).cast(ACKNOWLEDGED)
    shipped = shipped.select(SHIPPED.names).cast(SHIPPED)
    invoiced = _first_sendings(invoiced)
    docs = document_status.select(DOCUMENT_STATUS.names).cast(DOCUMENT_STATUS)
    findings = findings.select(RECEIVED_FINDINGS.names).cast(RECEIVED_FINDINGS)
    exceptions = exceptions.select(EXCEPTIONS.names).cast(EXCEPTIONS)
    partners = sorted({p for t in (ordered, docs, findings, lines) for p in pc.unique(t["partner"]).to_pylist()})
    cfg = settings_for(settings, partners)
    orders = _orders(ordered, acknowledged, shipped, invoiced)
    sla = _sla(orders, shipped, docs, cfg, as_of, partners)
    return Kpis(
        as_of=as_of,
        volume=volume(ordered, period),
        fill=fill_rate(lines, as_of, partners),
        perfect=perfect_orders(lines, exceptions, as_of, partners),
        cycle=cycle_times(orders, partners),
        errors=error_rate(ordered, findings, partners),
        sla=sla,
        chargebacks=chargeback_risk(sla, docs, exceptions, cfg, partners),
        currency={p: cfg[p].currency for p in partners},
    )


def with_exceptions(kpis: Kpis, lines: pa.Table, document_status: pa.Table, exceptions: pa.Table, *,
                    settings: Mapping[str, FinanceSettings]) -> Kpis:
    """What compute_kpis gives for other ``exceptions`` when ``kpis`` is what it gave for these very lines,
    sides, document status, settings and time: the two KPIs that read the exceptions (perfect orders,
    chargeback risk) made again, the others kept (they read no exception)."""
    lines = lines.select(LINE_MATCH.names).cast(LINE_MATCH)
    docs = document_status.select(DOCUMENT_STATUS.names).cast(DOCUMENT_STATUS)
    exceptions = exceptions.select(EXCEPTIONS.names).cast(EXCEPTIONS)
    partners = list(kpis.currency)  # compute_kpis' partners, in its order
    return replace(kpis, perfect=perfect_orders(lines, exceptions, kpis.as_of, partners),
                   chargebacks=chargeback_risk(kpis.sla, docs, exceptions, settings_for(settings, partners), partners))


def _rate(num, den) -> float | None:
    return None if not den else round(float(num) / float(den), 6)


def volume(ordered: pa.Table, period: Period = "month") -> pa.Table:
    if not ordered.num_rows:
        return VOLUME.empty_table()
    label = period_labels(ordered["po_date"], period)
    t = pa.table({"partner": ordered["partner"], "period": label, "po": ordered["po_number"]})
    g = t.group_by(["partner", "period"], use_threads=False).aggregate([("po", "count_distinct"), ("po", "count")])
    out = pa.table({"partner": g["partner"], "period": g["period"], "orders": g["po_count_distinct"],
                    "lines": g["po_count"]}, schema=VOLUME)
    return out.sort_by([("partner", "ascending"), ("period", "ascending")])


def _due_lines(lines: pa.Table, as_of: datetime) -> pa.Table:
    lines = lines.select(["partner", "po_number", "cancelled_at", "ordered_quantity", "shipped_quantity", "due_date",
                          "last_shipped_at"])
    today = pa.scalar(as_of.date(), pa.date32())
    due = pc.and_(pc.and_(pc.is_null(lines["cancelled_at"]), pc.is_valid(lines["ordered_quantity"])),
                  pc.fill_null(pc.less_equal(lines["due_date"], today), False))
    return lines.filter(due)


def _float(values) -> np.ndarray:
    return pc.cast(pc.fill_null(values, 0), pa.float64()).to_numpy(zero_copy_only=False)


def fill_rate(lines: pa.Table, as_of: datetime, partners: list[str]) -> pa.Table:
    due = _due_lines(lines, as_of)
    ordered_q = pc.cast(due["ordered_quantity"], pa.float64())
    shipped_q = pc.cast(due["shipped_quantity"], pa.float64())
    t = pa.table({"partner": due["partner"], "n": pa.array(np.ones(due.num_rows, np.int64)),
                  "filled": pc.cast(pc.greater_equal(shipped_q, ordered_q), pa.int64()),
                  "units": ordered_q, "got": pc.min_element_wise(shipped_q, ordered_q)})
    agg = {r["partner"]: r for r in t.group_by("partner", use_threads=False).aggregate(
        [("n", "sum"), ("filled", "sum"), ("units", "sum"), ("got", "sum")]).to_pylist()}
    rows = []
    for p in partners:
        a = agg.get(p, {})
        n, filled = a.get("n_sum") or 0, a.get("filled_sum") or 0
        units, got = a.get("units_sum") or 0.0, a.get("got_sum") or 0.0
        rows.append({"partner": p, "lines_due": n, "lines_filled": filled, "line_fill_rate": _rate(filled, n),
                     "units_due": units, "units_filled": got, "unit_fill_rate": _rate(got, units)})
    return pa.Table.from_pylist(rows, schema=FILL)


def perfect_orders(lines: pa.Table, exceptions: pa.Table, as_of: datetime, partners: list[str]) -> pa.Table:
    due = _due_lines(lines, as_of)
    key = pc.binary_join_element_wise(due["partner"], due["po_number"], "\x1f")
    flagged = pc.binary_join_element_wise(exceptions["partner"], exceptions["po_number"], "\x1f")
    on_time = pc.fill_null(pc.less_equal(pc.cast(due["last_shipped_at"], pa.date32()), due["due_date"]), False)
    full = pc.fill_null(pc.greater_equal(due["shipped_quantity"], due["ordered_quantity"]), False)
    ok = pc.and_(pc.and_(full, on_time), pc.invert(pc.is_in(key, value_set=flagged)))
    g = pa.table({"partner": due["partner"], "po_number": due["po_number"], "ok": ok}).group_by(
        ["partner", "po_number"], use_threads=False).aggregate([("ok", "all")])
    per = g.group_by("partner", use_threads=False).aggregate([("ok_all", "count"), ("ok_all", "sum")]).to_pylist()
    by = {r["partner"]: (r["ok_all_count"], r["ok_all_sum"] or 0) for r in per}
    rows = []
    for p in partners:
        n, perfect = by.get(p, (0, 0))
        rows.append({"partner": p, "orders_due": n, "perfect_orders": perfect, "perfect_order_rate": _rate(perfect, n)})
    return pa.Table.from_pylist(rows, schema=PERFECT)


def _first(table: pa.Table, column: str, name: str) -> pa.Table:
    if not table.num_rows:
        return pa.table({"partner": pa.array([], pa.string()), "po_number": pa.array([], pa.string()),
                         name: pa.array([], pa.timestamp("s"))})
    g = table.group_by(["partner", "po_number"], use_threads=False).aggregate([(column, "min")])
    return g.rename_columns(["partner", "po_number", name])


def _first_sendings(invoiced: pa.Table) -> pa.Table:
    """INVOICED with its INVOICED_FIRST_SENT: the reader's (engine.finance_inputs.invoiced given the store's
    first_sendings: a resent 810's first sending), else, row by row, the line's sent_at."""
    out = invoiced.select(INVOICED.names).cast(INVOICED)
    first = out["sent_at"]
    if INVOICED_FIRST_SENT.name in invoiced.column_names:
        first = pc.coalesce(pc.cast(invoiced[INVOICED_FIRST_SENT.name], INVOICED_FIRST_SENT.type), first)
    return out.append_column(INVOICED_FIRST_SENT, first)


def _orders(ordered: pa.Table, acknowledged: pa.Table, shipped: pa.Table, invoiced: pa.Table) -> pa.Table:
    """One row per PO: when it arrived, our 997 and first 855/865, first departure, first 810."""
    x12 = pc.not_equal(pc.fill_null(ordered["isa13"], ""), CSV_ORDER)  # a CSV order came in no group
    base = ordered.append_column("x12", x12).group_by(["partner", "po_number"], use_threads=False).aggregate(
        [("received_at", "min"), ("fa_sent_at", "min"), ("x12", "any")]).rename_columns(
        ["partner", "po_number", "received_at", "fa_sent_at", "x12"])
    # (a CSV partner's order told held for a person, IH, is not answered yet: its answer is the decision's)
    answers = acknowledged.filter(pc.fill_null(pc.not_equal(acknowledged["ack_code"], "IH"), True)) \
        if acknowledged.num_rows and "ack_code" in acknowledged.column_names else acknowledged
    for table, column, name in ((answers, "sent_at", "acked_at"), (shipped, "shipped_at", "shipped_at"),
                                (invoiced, INVOICED_FIRST_SENT.name, "invoiced_at")):
        base = base.join(_first(table, column, name), ["partner", "po_number"], join_type="left outer",
                         use_threads=False)
    return base.sort_by([("partner", "ascending"), ("po_number", "ascending")])


def _hours(later: pa.ChunkedArray, earlier: pa.ChunkedArray) -> np.ndarray:
    """(later - earlier) in hours, NaN where either is missing."""
    diff = pc.cast(pc.subtract(pc.cast(later, pa.int64()), pc.cast(earlier, pa.int64())), pa.float64())
    return pc.fill_null(diff, np.nan).to_numpy(zero_copy_only=False) / 3600.0


def cycle_times(orders: pa.Table, partners: list[str]) -> pa.Table:
    who = np.array(orders["partner"].to_pylist(), dtype=object)
    spans = {
        STAGES[0]: _hours(orders["acked_at"], orders["received_at"]),
        STAGES[1]: _hours(orders["shipped_at"], orders["acked_at"]),
        STAGES[2]: _hours(orders["invoiced_at"], orders["shipped_at"]),
    }
    rows = []
    for p in partners:
        for stage, hours in spans.items():
            h = hours[(who == p) & ~np.isnan(hours)]
            rows.append({"partner": p, "stage": stage, "orders": len(h),
                         "median_hours": round(float(np.median(h)), 2) if len(h) else None,
                         "mean_hours": round(float(np.mean(h)), 2) if len(h) else None})
    return pa.Table.from_pylist(rows, schema=CYCLE)


def error_rate(ordered: pa.Table, findings: pa.Table, partners: list[str]) -> pa.Table:
    named = findings.filter(pc.is_valid(findings["po_number"])).select(["partner", "po_number"])
    pos = pa.concat_tables([ordered.select(["partner", "po_number"]), named], promote_options="permissive")
    received = {r["partner"]: r["po_number_count_distinct"] for r in pos.group_by(
        "partner", use_threads=False).aggregate([("po_number", "count_distinct")]).to_pylist()}
    by: dict[tuple[str, str], dict] = {}
    for f in findings.filter(pc.equal(findings["severity"], "error")).to_pylist():
        for code in (f["code"], ANY_RULE):
            d = by.setdefault((f["partner"], code), {"findings": 0, "orders": set(), "file": 0})
            d["findings"] += 1
            if f["po_number"] is None:
                d["file"] += 1
            else:
                d["orders"].add(f["po_number"])
    rows = []
    for (p, code), d in sorted(by.items(), key=lambda kv: (kv[0][0], kv[0][1] != ANY_RULE, kv[0][1])):
        n = received.get(p, 0)
        rows.append({"partner": p, "code": code, "findings": d["findings"], "orders_affected": len(d["orders"]),
                     "orders_received": n, "file_findings": d["file"], "rate": _rate(len(d["orders"]), n)})
    return pa.Table.from_pylist(rows, schema=ERRORS)


def _deadline_check(partner: list[str], start: np.ndarray, done: np.ndarray, window_s: dict[str, int],
                    now_s: int) -> tuple[np.ndarray, np.ndarray]:
    """(met, measured) per row: done within start + the partner's window; unmet and not yet due = not measured."""
    window = np.array([window_s[p] for p in partner], np.int64) if partner else np.zeros(0, np.int64)
    deadline = start + window
    has_done = done != _NONE
    met = has_done & (done <= deadline) & (start != _NONE)
    measured = (start != _NONE) & (has_done | (deadline < now_s))
    return met, measured


_NONE = np.iinfo(np.int64).min


def _seconds(values) -> np.ndarray:
    return pc.fill_null(pc.cast(values, pa.int64()), _NONE).to_numpy(zero_copy_only=False)


def _sla(orders: pa.Table, shipped: pa.Table, docs: pa.Table, cfg: dict[str, FinanceSettings], as_of: datetime,
         partners: list[str]) -> pa.Table:
    now_s = second_number(as_of)
    who = orders["partner"].to_pylist()
    received = _seconds(orders["received_at"])
    results: dict[str, tuple[list, np.ndarray, np.ndarray]] = {}
    met, measured = _deadline_check(who, received, _seconds(orders["fa_sent_at"]),
                                    {p: c.ack_997_hours * 3600 for p, c in cfg.items()}, now_s)
    x12 = pc.fill_null(orders["x12"], True).to_numpy(zero_copy_only=False).astype(bool)  # a CSV order: no 997 owed
    results[SLAS[0]] = (who, met & x12, measured & x12)
    met, measured = _deadline_check(who, received, _seconds(orders["acked_at"]),
                                    {p: c.ack_855_hours * 3600 for p, c in cfg.items()}, now_s)
    if not all(c.expects_855 for c in cfg.values()):  # a partner that takes no 855 is owed none: not measured
        owed = np.array([cfg[p].expects_855 for p in who], bool)
        met, measured = met & owed, measured & owed
    results[SLAS[1]] = (who, met, measured)
    # ASN: per shipment; the deadline is the expected delivery, else departure + the ASN window
    if shipped.num_rows:
        g = shipped.group_by(["partner", "shipment_id"], use_threads=False).aggregate(
            [("shipped_at", "min"), ("expected_delivery_at", "min"), ("asn_sent_at", "min")])
        g = g.sort_by([("partner", "ascending"), ("shipment_id", "ascending")])
        s_who = g["partner"].to_pylist()
        left = _seconds(g["shipped_at_min"])
        delivery = _seconds(g["expected_delivery_at_min"])
        asn = _seconds(g["asn_sent_at_min"])
        window = np.array([cfg[p].asn_window_minutes * 60 for p in s_who], np.int64)
        deadline = np.where(delivery != _NONE, delivery, left + window)
        met = (asn != _NONE) & (asn <= deadline)
        measured = (asn != _NONE) | (deadline < now_s)
        results[SLAS[2]] = (s_who, met, measured)
    else:
        results[SLAS[2]] = ([], np.zeros(0, bool), np.zeros(0, bool))
    d_who = docs["partner"].to_pylist()
    acked = pc.is_valid(docs["acked_at"]).to_numpy(zero_copy_only=False)
    late = pc.fill_null(docs["ack_late"], False).to_numpy(zero_copy_only=False)
    overdue = pc.equal(docs["status"], "overdue").to_numpy(zero_copy_only=False)
    results[SLAS[3]] = (d_who, acked & ~late, acked | overdue)
    rows = []
    for p in partners:
        for name in SLAS:
            rw, met, measured = results[name]
            m = np.array([x == p for x in rw], bool) if rw else np.zeros(0, bool)
            k_met, k_measured = int((met & measured & m).sum()), int((measured & m).sum())
            rows.append({"partner": p, "sla": name, "met": k_met, "measured": k_measured,
                         "rate": _rate(k_met, k_measured)})
    return pa.Table.from_pylist(rows, schema=SLA)


def chargeback_risk(sla: pa.Table, docs: pa.Table, exceptions: pa.Table, cfg: dict[str, FinanceSettings],
                    partners: list[str]) -> pa.Table:
    misses = {(r["partner"], r["sla"]): r["measured"] - r["met"] for r in sla.to_pylist()}
    rejected = docs.filter(pc.equal(docs["status"], "rejected"))
    by_doc = _counts(rejected, "doc_type")
    by_type = _counts(exceptions, "type")
    rows = []
    for p in partners:
        count = {
            "late_997": misses.get((p, SLAS[0]), 0),
            "late_855": misses.get((p, SLAS[1]), 0),
            "late_asn": misses.get((p, SLAS[2]), 0),
            "rejected_asn": by_doc.get((p, "856"), 0),
            "rejected_invoice": by_doc.get((p, "810"), 0) + by_doc.get((p, "880"), 0),  # 880: a grocer's invoice
            "invoice_price_mismatch": by_type.get((p, "INVOICE_PRICE_MISMATCH"), 0),
            "over_shipment": by_type.get((p, "OVER_SHIPMENT"), 0),
        }
        for incident in INCIDENTS:
            penalty = cfg[p].penalty(incident)
            rows.append({"partner": p, "incident": incident, "incidents": count[incident], "penalty": penalty,
                         "amount": penalty * count[incident]})
    return pa.Table.from_pylist(rows, schema=CHARGEBACKS)


def _counts(table: pa.Table, column: str) -> dict[tuple[str, str], int]:
    if not table.num_rows:
        return {}
    g = table.group_by(["partner", column], use_threads=False).aggregate([(column, "count")]).to_pylist()
    return {(r["partner"], r[column]): r[f"{column}_count"] for r in g}
