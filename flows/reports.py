"""Stage 4: the run summary, the ops failure report (HTML + CSV), GX Data Docs and allocation tables."""

from __future__ import annotations

import json
from datetime import datetime

import pyarrow.parquet as pq

from engine.decide import ACCEPTED, PENDING, REJECTED
from engine.report_failures import neutralise_cell, render_failure_report
from flows.decide import RunDecision
from flows.intake import PartnerResult, _row
from flows.workspace import Workspace
from schemas.findings import Finding
from schemas.orders import ORDER_LINES


# --- reports ---------------------------------------------------------------------------------------
def run_id_for(now: datetime, ws: Workspace) -> str:
    base = now.strftime("%Y%m%dT%H%M%S")
    run_id, k = base, 1
    while (ws.reports_dir / run_id).exists():
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
                  run: RunDecision | None = None, failure: str = "",
                  shipping: tuple[list[dict], dict] | None = None) -> dict:
    """``shipping``: the warehouses' results and the invoicing result (flows.shipments), whose findings
    join the failure report and whose counts join the summary (keys "warehouses", "invoicing")."""
    folder = ws.reports_dir / run_id
    folder.mkdir(parents=True, exist_ok=True)
    rows = [f for r in results for f in r.findings]
    warehouses, invoicing = shipping if shipping else ([], {})
    rows += [f for w in warehouses for f in w["findings"]] + list(invoicing.get("findings", []))
    findings = [_finding_from_row(r) for r in rows]
    file_partners = {r["location"].get("file", ""): r["partner"] for r in rows}
    html, csv_bytes = render_failure_report(findings, run.orders if run else None, file_partners=file_partners,
                                            title=f"OrderBridge validation failures, run {run_id}",
                                            generated_at=started.isoformat())
    (folder / "failures.html").write_text(html, encoding="utf-8")
    (folder / "failures.csv").write_bytes(csv_bytes)
    reports = {"summary": str(folder / "summary.json"), "failures_html": str(folder / "failures.html"),
               "failures_csv": str(folder / "failures.csv")}
    if run and run.allocation is not None:
        pq.write_table(run.allocation, folder / "allocation.parquet")
        pq.write_table(run.availability, folder / "availability.parquet")
        reports["allocation"] = str(folder / "allocation.parquet")
        reports["availability"] = str(folder / "availability.parquet")
    if run and run.gx_docs:
        reports["gx_data_docs"] = run.gx_docs
    summary = {"run_id": run_id, "started": started.isoformat(), "failure": failure,
               "partners": [r.to_dict() | {"findings": len(r.findings)} for r in results], "reports": reports,
               "gx_note": run.gx_note if run else "",
               "warehouses": [w | {"findings": len(w["findings"])} for w in warehouses],
               "invoicing": (invoicing | {"findings": len(invoicing.get("findings", []))}) if invoicing else {}}
    (folder / "summary.json").write_text(json.dumps(summary, indent=2, sort_keys=True, default=str) + "\n")
    return summary


def _finding_from_row(row: dict) -> Finding:
    from schemas.findings import Location

    return Finding(code=row["code"], severity=row["severity"], message=row["message"],
                   location=Location(**row.get("location", {})))


def findings_csv(rows: list[dict]) -> bytes:
    """Compatibility helper: the failure report's CSV for finding rows (formula cells neutralised)."""
    return render_failure_report([_finding_from_row(r) for r in rows])[1]


__all__ = ["neutralise_cell", "ORDER_LINES"]
