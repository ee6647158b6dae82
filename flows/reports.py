"""Stage 4 and `orderbridge report`: a run's reports, built from what the state store holds for the run
(findings with their consequence, files, documents, history events, lines) and nothing kept in
memory, so a rerun after a crash writes the same report as an uninterrupted night and the reports can
be written again any time. Reads the store and writes files; the counting and the pages are
engine.run_summary's and engine.report_failures'.

    reports/<run id>/summary.json, summary.html        what happened, per partner (engine.run_summary)
                     failures.html, .csv, .parquet     every finding and its consequence
                     allocation.parquet                the lines the run decided, as they stand
                     reservations.parquet              their units reserved per warehouse (a rebuild reads them)
                     availability.parquet              stock left after its allocation (written by the
                                                       process that allocated; not rebuilt from the store)
                     gx-docs/validation.json           Great Expectations' results (rendered in summary.html)

                     finance/                          the reconciliation's finance report and dashboard
                                                       (flows.reconcile writes them; their paths and totals
                                                       join the summary)

`orderbridge report` has sections (SECTIONS).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq

from connectors.state import FINISHED, StateStore
from engine.report_failures import (
    failure_hints_csv,
    failure_table,
    failures_csv,
    findings_as_table,
    neutralise_cell,
    render_failure_report,
    render_failures_html,
    write_failures_csv,
)
from engine.run_summary import (
    SUMMARY_EVENTS,
    VERDICT_EVENTS,
    people_verdicts,
    render_summary_html,
    summarise,
    totals,
    warehouse_findings,
)
from flows import faults, text_messages
from flows.gc_pause import gc_paused
from flows.message_reports import REPORT
from flows.recovery import report_folder, staging_dir
from flows.workspace import Workspace
from schemas.findings import Finding, Location
from schemas.parties import WAREHOUSE_PARTY as WAREHOUSE_FILES  # (flows.shipments' name for it)
from schemas.reports import FAILURE_CSV_COLUMNS

if TYPE_CHECKING:  # the decide and ship stages are not imported to write a report (`orderbridge report`)
    from flows.decide import RunDecision
    from flows.intake import PartnerResult

GX_FOLDER = "gx-docs"  # where the decide stage asks GX to write its results (flows.decide)
VALIDATION_FILE = "validation.json"


# --- retention ---------------------------------------------------------------------------------------
PRUNING = ".pruning-"  # a run's finance folder being removed: renamed first, so a kill never leaves half of one


def prune_finance_snapshots(ws: Workspace, now: datetime, keep_days: int) -> list[str]:
    """Remove the finance report of each run older than ``keep_days`` (its run clock, which its id
    starts with, before ``now`` - ``keep_days``): reports/<run id>/finance/ is the reconciliation of the
    whole history as of that run, so these copies grow with every night. The run's own reports
    (summary, failures, allocation, GX's results, 864 messages) stay, and so does the cumulative report
    reports/finance/ (every line ever received). ``keep_days`` 0 keeps all. A folder is renamed to a
    hidden name, then removed: a run killed in between leaves a hidden folder the next run removes.
    The ids of the runs whose finance report went, oldest first."""
    from datetime import timedelta

    root = ws.reports_dir
    if keep_days <= 0 or not root.is_dir():
        return []
    for left in root.glob(f"*/{PRUNING}*"):  # a kill between the rename and the removal
        shutil.rmtree(left, ignore_errors=True)
    cutoff, pruned = now - timedelta(days=keep_days), []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        try:
            clock = datetime.strptime(folder.name[:15], "%Y%m%dT%H%M%S")
        except ValueError:
            continue  # the cumulative report (finance/, finance-since-...) or a folder that is not a run's
        finance = folder / "finance"
        if clock >= cutoff.replace(tzinfo=None) or not finance.is_dir():
            continue
        gone = folder / f"{PRUNING}finance"
        finance.rename(gone)
        shutil.rmtree(gone, ignore_errors=True)
        pruned.append(folder.name)
    return pruned


# --- run ids and scope -------------------------------------------------------------------------------
def run_id_for(now: datetime, ws: Workspace, state: StateStore | None = None, *, kind: str = "nightly") -> str:
    """The run's id from its clock. A run of this ``kind`` with this clock that did not finish (it
    crashed) is resumed under its own id, so its rerun writes the report it would have written;
    otherwise the first id with no report folder and no run on record ("-2", "-3" ...)."""
    base = now.strftime("%Y%m%dT%H%M%S")
    known = {r["run_id"]: (r["status"], r["kind"]) for r in state.runs()} if state is not None else {}
    run_id, k = base, 1
    while run_id in known or (ws.reports_dir / run_id).exists() or staging_dir(ws, run_id).exists():
        if run_id in known and known[run_id][0] not in FINISHED and known[run_id][1] == kind:
            return run_id
        k += 1
        run_id = f"{base}-{k}"
    return run_id


MAILBOX_PARTY = "mailbox"  # flows.mailbox.PARTY: the findings of the VAN mailbox that are no one partner's
MAILBOX_NAME = "the VAN mailbox: what no one partner takes, in mailbox/"


def partner_names(ws: Workspace) -> dict[str, str]:
    """Partner id -> its profile's name (who ops call), for the profiles that load; none when none does. The VAN
    mailbox's row ("mailbox": what no one partner takes, flows.mailbox) is named for what it is."""
    from schemas.profile import ConfigError

    try:
        names = {pid: p.name for pid, p in ws.partners_apart()[0].items()}
    except ConfigError:
        names = {}
    return {MAILBOX_PARTY: MAILBOX_NAME} | names


def run_scope(state: StateStore, run_id: str) -> list[str]:
    """The runs a run's report covers, oldest first: the runs that did not finish (crashed or killed)
    whose work it completed - recorded when it started (runs.recovers; for a nightly run the nightly
    runs just before it that did not finish: connectors.state.unfinished_before) - and itself."""
    run = state.run(run_id)
    recovers = run.get("recovers", []) if run else []
    return [*dict.fromkeys(r for r in recovers if r != run_id), run_id]


# --- the run's reports -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Written:
    folder: Path
    summary: dict  # as in summary.json (file names relative to the folder)

    def path(self, name: str) -> Path:
        return self.folder / self.summary["reports"][name]


def write_run_reports(ws: Workspace, state: StateStore, run_id: str, *, failures: Mapping | None = None,
                      availability: pa.Table | None = None, partners: list[str] | None = None,
                      finance: Mapping | None = None, shipping: Mapping | None = None,
                      handed_lines: bool = False) -> Written:
    """Write the run's reports from the store: under the run's staging folder (a hidden name,
    flows.recovery), renamed to reports/<run id> when every file is written, so a run killed while
    writing leaves no folder that looks finished; a finished folder written again (`orderbridge
    report`) has each file replaced whole. ``failures``: {"failure": the run's stage failure,
    "partners": {partner: failure}} as the flow saw them (else as recorded when the run finished);
    ``availability``: the allocation's stock table when this process allocated; ``finance``: the
    reconciliation's {"summary", "reports"} (flows.reconcile; else as recorded when the run finished);
    ``shipping``: {"warehouses": [WarehouseResult dicts], "invoicing": InvoiceResult dict} of the
    fulfilment stages (flows.shipments; else as recorded), whose counts join the summary. The warehouses'
    findings are in the store like every other (the failures report has them); their files are not a
    partner's (the summary's "warehouses" counts them). ``handed_lines`` (the night, right after its own
    reconciliation): the run's lines as that stage read them and handed on, when it did
    (StateStore.handed_lines), instead of read again."""
    run = state.run(run_id) or {"run_id": run_id, "kind": "nightly", "clock": "", "status": "", "summary": {}}
    if failures is None:
        recorded = run.get("summary") or {}
        failures = {"failure": recorded.get("failure", ""),
                    "partners": {p["partner"]: p.get("failure", "") for p in recorded.get("partners", [])}}
    scope = run_scope(state, run_id)
    folder, into = ws.reports_dir / run_id, report_folder(ws, run_id)
    into.mkdir(parents=True, exist_ok=True)
    recorded = run.get("summary") or {}
    finance_summary = dict(finance.get("summary", {})) if finance is not None else recorded.get("finance", {})
    finance_reports = ({k: os.path.relpath(v, into) for k, v in finance.get("reports", {}).items()}
                       if finance is not None else _recorded_finance(recorded.get("reports", {})))
    clock = run.get("clock") or ""
    events = state.events_of_runs(scope, {*SUMMARY_EVENTS, *VERDICT_EVENTS})  # read once for both
    decided = people_verdicts(events)
    rows = failure_table(state.findings_table(scope), decided=decided)
    reports = {"summary": "summary.json", "summary_html": "summary.html", "failures_html": "failures.html",
               "failures_csv": "failures.csv", "failures_hints": "failures-hints.csv",
               "failures_parquet": "failures.parquet"} | finance_reports
    covers = [r for r in scope if r != run_id]
    notes = [f"This run completed the work of run(s) {', '.join(covers)}, which did not finish: their findings "
             "are included."] if covers else []
    with _replacing(into / "failures.csv") as tmp, open(tmp, "wb") as out:
        write_failures_csv(rows, out, FAILURE_CSV_COLUMNS)  # the hint once per code: failures-hints.csv
    _write(into / "failures-hints.csv", failure_hints_csv(rows))
    faults.reached("mid-reports")
    with _replacing(into / "failures.parquet") as tmp:
        pq.write_table(rows, tmp)
    messages = text_messages.kept(ws, scope)  # the partners' 864s, for people: on the failures page and listed
    if messages.num_rows:
        _write(into / REPORT, (json.dumps(text_messages.as_json(messages), indent=2, sort_keys=True)
                                             + "\n").encode())
        reports["messages"] = REPORT
    _write(into / "failures.html", render_failures_html(
        rows, title=f"OrderBridge validation failures, run {run_id}", generated_at=f"{clock} (run clock)",
        downloads=(("failures.csv", f"failures.csv ({rows.num_rows:,} rows, for a spreadsheet)"),
                   ("failures-hints.csv", "failures-hints.csv (what to do, once per code)"),
                   ("failures.parquet", "failures.parquet (for tools)"), ("summary.html", "the run's summary")),
        notes=notes, messages=messages, names=partner_names(ws)).encode("utf-8"))
    lines = state.handed_lines(run_id, scope) if handed_lines else None  # (nothing wrote them since: see there)
    if lines is None:
        lines = state.lines_of_runs(scope)
    if lines.num_rows:
        pq.write_table(lines, into / "allocation.parquet")
        reports["allocation"] = "allocation.parquet"
        reserved = state.reservations_of_runs(scope, RESERVATION_ROWS, of=lines)
        if reserved.num_rows:  # the units per warehouse behind each line's "allocated" (a rebuild reads them)
            pq.write_table(reserved, into / "reservations.parquet")
            reports["reservations"] = "reservations.parquet"
    if availability is not None:  # a by-product of this process's allocation, not a report from the store:
        pq.write_table(availability, into / "availability.parquet")  # not listed (a rerun may not have it)
    validation, gx_note = _validation(ws, scope)
    if validation is not None:
        reports["validation"] = f"{GX_FOLDER}/{VALIDATION_FILE}"
    documents = state.documents_of_runs(scope)
    files = [f for f in state.files_of_runs(scope) if not f["partner"].startswith(WAREHOUSE_FILES)]
    partner_rows = summarise(partners or [], files=files, documents=documents,
                             events=events, findings=rows,
                             failures=failures.get("partners", {}))
    own = warehouse_findings(rows)  # the warehouses' findings that no partner's order owns
    summary = {"run_id": run_id, "started": clock,
               "run": {"run_id": run_id, "kind": run.get("kind", "nightly"), "clock": clock, "covers": covers},
               "failure": failures.get("failure", ""), "partners": partner_rows, "totals": totals(partner_rows, own),
               "warehouse_findings": own,
               "reports": reports, "gx_note": gx_note, "finance": finance_summary,
               "warehouses": _plain_results(shipping.get("warehouses", [])) if shipping is not None
               else recorded.get("warehouses", []),
               "invoicing": _plain_results(shipping.get("invoicing") or {}) if shipping is not None
               else recorded.get("invoicing", {})}
    _write(into / "summary.json", (json.dumps(summary, indent=2, sort_keys=True, default=str) + "\n").encode())
    sent = [d for d in documents if d["status"] == "delivered"]
    _write(into / "summary.html", render_summary_html(summary, validation=validation, sent=sent).encode("utf-8"))
    if into != folder:
        os.replace(into, folder)
    for covered in covers:  # what the runs it completed left half written (their GX results were read above)
        shutil.rmtree(staging_dir(ws, covered), ignore_errors=True)
    return Written(folder, summary)


RESERVATION_ROWS = pa.schema([("partner", pa.string()), ("po_number", pa.string()), ("line_number", pa.int64()),
                              ("warehouse", pa.string()), ("sku", pa.string()), ("quantity", pa.int64())])


def _plain_results(results):
    """The fulfilment stages' results as the summary keeps them: counts, their findings counted (the
    findings themselves are in the failures report)."""
    if isinstance(results, Mapping):
        return dict(results) | {"findings": len(results.get("findings", []))} if results else {}
    return [dict(w) | {"findings": len(w.get("findings", []))} for w in results]


_FINANCE_REPORTS = ("finance_report", "dashboard", "finance_data", "cumulative_finance_report",
                    "cumulative_dashboard", "cumulative_finance_data")


def _recorded_finance(recorded: Mapping[str, str]) -> dict[str, str]:
    """The finance pages a run recorded, relative to its report folder as the night wrote them: the summary the
    store keeps has them as absolute paths of the workspace where it ran (beside its summary.html), which a
    report written again would link to (file paths, wrong once the workspace moved or its pages are served)."""
    base = recorded.get("summary_html", "")
    base = os.path.dirname(base) if os.path.isabs(base) else ""
    return {k: os.path.relpath(recorded[k], base) if base and os.path.isabs(recorded[k]) else recorded[k]
            for k in _FINANCE_REPORTS if k in recorded}  # in the night's order (the store keeps them sorted)


def _validation(ws: Workspace, scope: list[str]) -> tuple[list[dict] | None, str]:
    for run_id in reversed(scope):
        path = report_folder(ws, run_id) / GX_FOLDER / VALIDATION_FILE
        if path.is_file():
            try:
                return json.loads(path.read_text(encoding="utf-8")), ""
            except (OSError, ValueError) as exc:
                return None, f"Great Expectations' results could not be read: {exc}"
    return None, "Great Expectations did not validate order lines in this run (no order to decide, or GX off)."


def _write(path: Path, data: bytes) -> None:
    with _replacing(path) as tmp:
        tmp.write_bytes(data)


@contextmanager
def _replacing(path: Path) -> Iterator[Path]:
    """A temporary name to write ``path`` under; renamed into place when the block ends without error:
    a report file is whole or absent, never half written."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        yield tmp
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def write_reports(ws: Workspace, run_id: str, *, state: StateStore | None = None, failures: Mapping | None = None,
                  availability: pa.Table | None = None, partners: list[str] | None = None,
                  finance: Mapping | None = None, shipping: Mapping | None = None,
                  handed_lines: bool = False) -> dict:
    """The nightly flow's stage 4: the run's reports (write_run_reports); the summary with the files'
    absolute paths (for the command line)."""
    own = state is None
    store = StateStore(ws.state_url) if own else state
    try:
        with gc_paused():
            written = write_run_reports(ws, store, run_id, failures=failures, availability=availability,
                                        partners=partners if partners is not None else _partner_ids(ws),
                                        finance=finance, shipping=shipping, handed_lines=handed_lines)
    finally:
        if own:
            store.close()
    return written.summary | {"folder": str(written.folder),
                              "reports": {k: os.path.normpath(written.folder / v)
                                          for k, v in written.summary["reports"].items()}}


def _partner_ids(ws: Workspace) -> list[str]:
    """Every partner of the workspace, its profile loading or not (a run's summary has a row for each)."""
    profiles, broken = ws.partners_apart()
    return sorted({*profiles, *broken})


# --- `orderbridge report` ----------------------------------------------------------------------------
Section = Callable[..., dict]  # (ws, state, run_id, *, since, now) -> {"reports": {name: path}, "title"?}


def _run_section(ws: Workspace, state: StateStore, run_id: str, **_: object) -> dict:
    return write_reports(ws, run_id, state=state)


def _finance_section(ws: Workspace, state: StateStore, run_id: str | None, *, since: date | None = None,
                     now: datetime | None = None, **_: object) -> dict:
    """The cumulative finance report and dashboard (flows.reconcile.write_cumulative) as of ``now``,
    default the last reconciliation's clock."""
    from flows.reconcile import write_cumulative

    if now is None:
        runs = state.reconciliations()
        if not runs:
            return {"title": ": no reconciliation has run yet", "reports": {}}
        now = datetime.fromisoformat(runs[-1]["as_of"])
    written = write_cumulative(ws, state, ws.on(now).runnable_partners(), as_of=now, since=since)
    return {"title": f" report and dashboard as of {now:%Y-%m-%d %H:%M} (run clock)"
                     + (f", POs since {since}" if since else "") + ":", "reports": written}


SECTIONS: dict[str, Section] = {"run": _run_section, "finance": _finance_section}  # name -> writer


def latest_run(state: StateStore) -> str | None:
    nightly = [r for r in state.runs() if r["kind"] == "nightly"]
    return nightly[-1]["run_id"] if nightly else None


# --- the flow's per-partner tallies (progress lines; the reports count from the store) ------------------
def merge_decisions(results: list[PartnerResult], run: RunDecision) -> None:
    from engine.decide import ACCEPTED, PENDING, REJECTED
    from flows.intake import _row

    by = {r.partner: r for r in results}
    for d in run.decisions:
        r = by.get(d.partner)
        if r is None:
            continue
        outcome = run.outcomes.get((d.partner, d.po_number), d.status)  # as the plan left it (after allocation)
        r.accepted += outcome == ACCEPTED
        r.held += outcome == PENDING
        r.rejected += outcome == REJECTED
    for (partner, doc_type), n in run.documents.items():
        if partner in by:
            by[partner].documents[doc_type] += n
    owner: dict[str, str] = {}  # a file's partner: its first decision's (one look-up a finding, not a scan of
    for d in run.decisions:     # every decision: a night's 10,000 decisions x 20,000 warnings took seconds)
        owner.setdefault(d.source_file, d.partner)
    for f in run.findings:
        partner = owner.get(f.location.file, "")
        if partner in by:
            by[partner].findings.append(_row(f, partner))
            by[partner].errors += f.severity == "error"
            by[partner].warnings += f.severity == "warning"


def findings_csv(rows: list[dict]) -> bytes:
    """The failures CSV for finding rows as dicts (Finding.to_dict + partner): formula cells neutralised."""
    findings = [Finding(code=r["code"], severity=r["severity"], message=r["message"],
                        location=Location(**r.get("location", {}))) for r in rows]
    partners = {r.get("location", {}).get("file", ""): r.get("partner", "") for r in rows}
    return failures_csv(failure_table(findings_as_table(findings, file_partners=partners)))


__all__ = ["SECTIONS", "Written", "findings_csv", "latest_run", "merge_decisions", "neutralise_cell",
           "render_failure_report", "run_id_for", "run_scope", "write_reports",
           "write_run_reports"]
