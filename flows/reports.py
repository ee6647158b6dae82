"""Stage 4: the run summary, the ops failure report (HTML + CSV), GX Data Docs and allocation tables."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from datetime import datetime

import pyarrow as pa
import pyarrow.parquet as pq

from connectors.state import StateStore
from engine.decide import ACCEPTED, PENDING, REJECTED
from engine.report_failures import neutralise_cell, render_failure_report
from flows import faults
from flows.decide import RunDecision
from flows.intake import PartnerResult, _row
from flows.recovery import PARTIAL, staging_dir
from flows.workspace import Workspace
from schemas.findings import Finding
from schemas.orders import ORDER_LINES


# --- reports ---------------------------------------------------------------------------------------
def run_id_for(now: datetime, ws: Workspace, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """The run's id: its clock as YYYYMMDDTHHMMSS, with -2, -3 ... when a run of the store (``taken``)
    or a report folder already has it."""
    base = now.strftime("%Y%m%dT%H%M%S")
    run_id, k = base, 1
    while run_id in taken or (ws.reports_dir / run_id).exists() or (ws.reports_dir / f"{PARTIAL}{run_id}").exists():
        k += 1
        run_id = f"{base}-{k}"
    return run_id


def merge_decisions(results: list[PartnerResult], run: RunDecision) -> None:
    by = {r.partner: r for r in results}
    for d in run.decisions:
        r = by.get(d.partner)
        if r is None:
            continue
        r.accepted += d.status == ACCEPTED
        r.held += d.status == PENDING
        r.rejected += d.status == REJECTED
    for (partner, doc_type), n in run.documents.items():
        if partner in by:
            by[partner].documents[doc_type] += n
    for f in run.findings:
        partner = next((d.partner for d in run.decisions if d.source_file == f.location.file), "")
        if partner in by:
            by[partner].findings.append(_row(f, partner))
            by[partner].errors += f.severity == "error"
            by[partner].warnings += f.severity == "warning"


def write_reports(ws: Workspace, run_id: str, results: list[PartnerResult], *, started: datetime,
                  run: RunDecision | None = None, failure: str = "", state: StateStore | None = None,
                  recovers: Sequence[str] = ()) -> dict:
    """The run's report folder, written under staging_dir and renamed to reports/<run id> when whole.
    With ``state``, the failure report lists the findings the store holds for this run and for the
    crashed runs it ``recovers`` (each once), with the orders they concern: a rerun after a crash
    reports what the uninterrupted night would have. Without it, the findings in ``results``."""
    folder, staging = ws.reports_dir / run_id, staging_dir(ws, run_id)
    staging.mkdir(parents=True, exist_ok=True)
    if state is not None:
        rows = night_findings(state, [*recovers, run_id])
        orders = _orders_of(state, rows)
    else:
        rows = [f for r in results for f in r.findings]
        orders = run.orders if run else None
    findings = [_finding_from_row(r) for r in rows]
    file_partners = {r["location"].get("file", ""): r["partner"] for r in rows}
    html, csv_bytes = render_failure_report(findings, orders, file_partners=file_partners,
                                            title=f"OrderBridge validation failures, run {run_id}",
                                            generated_at=started.isoformat())
    (staging / "failures.csv").write_bytes(csv_bytes)
    faults.reached("mid-reports")
    (staging / "failures.html").write_text(html, encoding="utf-8")
    reports = {"summary": str(folder / "summary.json"), "failures_html": str(folder / "failures.html"),
               "failures_csv": str(folder / "failures.csv")}
    if run and run.allocation is not None:
        pq.write_table(run.allocation, staging / "allocation.parquet")
        pq.write_table(run.availability, staging / "availability.parquet")
        reports["allocation"] = str(folder / "allocation.parquet")
        reports["availability"] = str(folder / "availability.parquet")
    if run and run.gx_docs:
        reports["gx_data_docs"] = run.gx_docs.replace(str(staging), str(folder), 1)
    summary = {"run_id": run_id, "started": started.isoformat(), "failure": failure,
               "partners": [r.to_dict() | {"findings": len(r.findings)} for r in results], "reports": reports,
               "gx_note": run.gx_note if run else "", "recovers": list(recovers), "findings": len(rows)}
    (staging / "summary.json").write_text(json.dumps(summary, indent=2, sort_keys=True, default=str) + "\n")
    os.replace(staging, folder)
    return summary


def night_findings(state: StateStore, run_ids: Sequence[str]) -> list[dict]:
    """The findings the store holds for these runs as report rows (Finding.to_dict + partner), in the
    order they were recorded; a finding a rerun recorded again (a file still in the inbox after a
    crash, say) is listed once."""
    rows, seen = [], set()
    for run_id in dict.fromkeys(run_ids):
        for f in state.findings(run_id=run_id):
            loc = {k: f[k] for k in _LOCATION if f[k] not in ("", None)}
            row = {"code": f["code"], "severity": f["severity"], "message": f["message"] or "", "location": loc,
                   "partner": f["partner"] or "", "po_number": f["po_number"] or ""}
            key = json.dumps([f["stage"], row], sort_keys=True, default=str)
            if key not in seen:
                seen.add(key)
                rows.append(row)
    return rows


_LOCATION = ("file", "isa13", "gs06", "st02", "segment_position", "file_segment", "segment_id", "element", "value",
             "line_number", "loop_id")


def _orders_of(state: StateStore, findings: list[dict]) -> pa.Table | None:
    """The stored orders these findings name (their partner and PO number for the report's rows)."""
    keys = {(f["partner"], f["po_number"]) for f in findings if f.get("po_number")}
    rows = [{"partner": o.partner, "po_number": o.po_number, "source_file": o.source_file, "isa13": o.isa13,
             "gs06": o.gs06, "st02": o.st02} for _, o in sorted(state.orders_for(keys).items())]
    if not rows:
        return None
    return pa.Table.from_pylist(rows, schema=pa.schema([(k, pa.string()) for k in rows[0]]))


def _finding_from_row(row: dict) -> Finding:
    from schemas.findings import Location

    return Finding(code=row["code"], severity=row["severity"], message=row["message"],
                   location=Location(**row.get("location", {})))


def findings_csv(rows: list[dict]) -> bytes:
    """Compatibility helper: the failure report's CSV for finding rows (formula cells neutralised)."""
    return render_failure_report([_finding_from_row(r) for r in rows])[1]


__all__ = ["neutralise_cell", "ORDER_LINES"]
