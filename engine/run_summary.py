"""A run's summary: what happened per partner (files, orders, decisions, documents, findings) counted
from the rows the state store holds for the run, and its page (summary.html): the counts with every
column explained, links into the failures report, the data files, and Great Expectations' validation
results rendered here (our page, no CDN, readable offline).

Pure: rows and the flow's failure messages in; a JSON-ready dict and HTML out. Never reads a file or
the store, never decides anything about an order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

import pyarrow as pa
import pyarrow.compute as pc

from engine.html_page import anchor, e, page, table
from schemas.reports import WAREHOUSE_PARTY

# history events that say what a run did with an order (schemas.lifecycle.EventKind values)
READ_EVENTS = ("po_received", "po_replaced", "po_cancelled", "po_confirmed", "po_duplicate")
DECISION_EVENTS = {"acknowledged": "accepted", "held": "held", "decision_failed": "held", "rejected": "rejected"}
MEMO_EVENTS = ("on_memo",)  # a memo order shipped in full: no 810 by agreement ([fulfilment.invoice] memo_order_types)
SUMMARY_EVENTS = (*READ_EVENTS, *DECISION_EVENTS, *MEMO_EVENTS)
VERDICT_EVENTS = {"acknowledged": "approved", "rejected": "rejected"}  # answered after a person's verdict
DOCUMENT_TYPES = ("997", "TA1", "855", "CSV", "865", "856", "810")
INVOICE_SETS = ("810", "880")  # the invoices a run creates: the 810, or a grocer's 880 (engine.invoice_880)

# (key, short heading used by the terminal, heading on the page, what it counts)
COLUMNS: tuple[tuple[str, str, str, str], ...] = (
    ("files", "files", "Files read", "input files taken from the partner's drop (duplicates included)"),
    ("processed", "ok", "Processed", "files taken without an intake error (moved to processed/; the "
     "business rules' error findings, at decide, leave a file there)"),
    ("quarantined", "quar", "Quarantined", "files with an intake error: envelope, syntax, a file not "
     "taken (moved to quarantine/); one whose good POs were taken beside a set in error is said partly taken "
     "(quarantined copy kept)"),
    ("duplicates", "dup", "Duplicates", "files whose content was seen before: nothing sent again"),
    ("orders", "POs", "POs read", "purchase orders (850s, a CSV customer's orders) taken from the "
     "files (new, replaced, cancelled, duplicate)"),
    ("accepted", "acc", "Acknowledged", "orders answered accepting all or some lines: an 855, a CSV "
     "acknowledgment, or an 865 answering a change"),
    ("held", "held", "Held", "orders held for a person (approve, reject or recheck them)"),
    ("rejected", "rej", "Rejected", "orders answered with an 855 RD (rejected)"),
    ("997", "997", "997", "functional acknowledgments created"),
    ("TA1", "TA1", "TA1", "interchange acknowledgments created"),
    ("855", "855", "855", "purchase order acknowledgments created"),
    ("CSV", "csv", "CSV ack", "CSV acknowledgments created (partners that send CSV orders, not 850s)"),
    ("865", "865", "865", "change acknowledgments (answers to 860s) created"),
    ("856", "856", "856", "ship notices created (shipment confirmations from the warehouses)"),
    ("810", "810", "810", "invoices created (810s, and the 880s of grocers invoiced by the 880)"),
    ("delivered", "sent", "Sent", "documents of this run written to the partner's outbox"),
    ("errors", "err", "Open errors", "error findings still open (failures report)"),
    ("warnings", "warn", "Warnings", "findings reported only"),
)
# a quarantined file whose good orders were taken all the same (one good PO beside a bad set): still counted
# "quarantined" (an intake error in it, as documented), said so wherever files are listed
PARTLY_TAKEN = "partly taken (quarantined copy kept)"


def file_status_text(f: Mapping) -> str:
    """A file row's status as people read it: "processed", "quarantined", or PARTLY_TAKEN."""
    return PARTLY_TAKEN if f.get("status") == "quarantined" and f.get("partly_taken") else str(f.get("status") or "")


def partly_taken_line(row: Mapping) -> str:
    """The line under the run table for a partner with quarantined files whose good orders were taken ("" none)."""
    n = row.get("partly_taken") or 0
    return (f"{row['partner']}: {n} of its {row['quarantined']} quarantined file(s) {PARTLY_TAKEN}: the POs without "
            "an error in them were taken and answered, the sets in error refused") if n else ""


LEGEND = (  # the terminal table's abbreviations, a line each
    "files: files read; ok: processed; quar: quarantined; dup: seen before (nothing sent again); POs: orders read "
    "(850s, CSV orders)",
    "acc: orders acknowledged; held: held for a person; rej: rejected (855 RD); 997 TA1 855 csv 865 856 810: "
    "documents created (csv: CSV acknowledgments)",
    "sent: delivered to the outbox; err: open error findings; warn: warnings (both in the failures report)",
)
STYLE = """
.failed{color:var(--bad);font-weight:600}.passed{color:var(--good);font-weight:600}
div.scroll{overflow-x:auto}div.scroll table{font-size:.8rem}div.scroll th,div.scroll td{padding:.2rem .3rem}
div.scroll th.num{white-space:normal;hyphens:auto}
dl.legend{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;font-size:.88rem}
dl.legend dt{font-weight:600}dl.legend dd{margin:0}
"""


def summarise(partners: Iterable[str], *, files: Sequence[Mapping], documents: Sequence[Mapping],
              events: pa.Table, findings: pa.Table, failures: Mapping[str, str] | None = None) -> list[dict]:
    """One dict per partner (COLUMNS' keys, ``documents`` by type, ``pending``, ``decided``,
    ``findings``, ``refused``, ``failure``) from the run's rows: ``files`` it recorded, ``documents``
    it created, history ``events`` it wrote (a table of partner, po_number, event in the order they
    happened; kinds other than SUMMARY_EVENTS count for nothing), and its failures table (engine.
    report_failures.failure_table). ``failures``: partner -> what failed for it."""
    failures = failures or {}
    seen = set(pc.unique(findings["partner"]).to_pylist()) if findings.num_rows else set()
    names = sorted(p for p in (set(partners) | {f["partner"] for f in files} | {d["partner"] for d in documents} | seen)
                   if p and not p.startswith(WAREHOUSE_PARTY))  # a warehouse's own findings: warehouse_findings
    out = {p: {"partner": p, "files": 0, "processed": 0, "quarantined": 0, "duplicates": 0, "refused": 0,
               "partly_taken": 0,
               "orders": 0, "accepted": 0, "held": 0, "rejected": 0, "documents": Counter(), "delivered": 0,
               "pending": 0, "errors": 0, "warnings": 0, "decided": 0, "findings": 0,
               "failure": failures.get(p, "")} for p in names}
    for f in files:
        row = out[f["partner"]]
        row["files"] += 1
        row["quarantined" if f["status"] == "quarantined" else "processed"] += 1
        row["partly_taken"] += bool(f.get("partly_taken")) and f["status"] == "quarantined"
    for d in documents:
        row = out.get(d["partner"])
        if row is None:  # a warehouse's 997s answering its 945s: its "Per warehouse" row's acknowledgments
            continue
        row["documents"][d["doc_type"]] += 1
        row["delivered" if d["status"] == "delivered" else "pending"] += 1
    for r in _of_kinds(events, READ_EVENTS).group_by("partner").aggregate([("event", "count")]).to_pylist():
        if r["partner"] in out:
            out[r["partner"]]["orders"] += r["event_count"]
    # memo orders this run shipped in full, no 810 by agreement: "on_memo" in the partner's row (only where some)
    for r in _of_kinds(events, MEMO_EVENTS).group_by("partner").aggregate([("event", "count")]).to_pylist():
        if r["partner"] in out:
            out[r["partner"]]["on_memo"] = r["event_count"]
    # each order's last decision (the events in the order they happened), counted per partner
    last = _of_kinds(events, DECISION_EVENTS).group_by(["partner", "po_number"], use_threads=False).aggregate(
        [("event", "last")])
    for r in last.group_by(["partner", "event_last"]).aggregate([("po_number", "count")]).to_pylist():
        if r["partner"] in out:
            out[r["partner"]][DECISION_EVENTS[r["event_last"]]] += r["po_number_count"]
    if findings.num_rows:
        decided = pc.not_equal(pc.fill_null(findings["decided_by"], ""), "")
        work = pa.table({"partner": findings["partner"], "code": findings["code"],
                         "kind": pc.if_else(decided, "decided", pc.if_else(pc.equal(findings["severity"], "error"),
                                                                             "errors", "warnings"))})
        for r in work.group_by(["partner", "code", "kind"]).aggregate([("code", "count")]).to_pylist():
            row = out.get(r["partner"])
            if row is None:
                continue
            row[r["kind"]] += r["code_count"]
            row["findings"] += r["code_count"]
            if r["code"] == "FILE_DUPLICATE":  # a duplicate file is not recorded again: its finding counts it
                row["duplicates"] += r["code_count"]
                row["files"] += r["code_count"]
            elif r["code"] == "FILE_NAME_REFUSED":
                row["refused"] += r["code_count"]
            elif r["code"] == "SET_RECEIVED_NOT_PROCESSED":  # an 820, an 852 ...: "not_processed" (only where some)
                row["not_processed"] = row.get("not_processed", 0) + r["code_count"]
    return [out[p] | {"documents": dict(sorted(out[p]["documents"].items()))} for p in names]


def warehouse_findings(findings: pa.Table) -> dict[str, dict]:
    """Per warehouse id, the findings of its confirmations that no partner's order owns (stored under
    its party, schemas.reports.warehouse_party): errors (open), warnings, decided and findings, from the
    failures table as summarise takes it."""
    if not findings.num_rows:
        return {}
    mine = findings.filter(pc.starts_with(findings["partner"], WAREHOUSE_PARTY))
    out: dict[str, dict] = {}
    decided = pc.not_equal(pc.fill_null(mine["decided_by"], ""), "")
    kind = pc.if_else(decided, "decided", pc.if_else(pc.equal(mine["severity"], "error"), "errors", "warnings"))
    work = pa.table({"partner": mine["partner"], "kind": kind})
    for r in sorted(work.group_by(["partner", "kind"]).aggregate([("kind", "count")]).to_pylist(),
                    key=lambda r: (r["partner"], r["kind"])):
        row = out.setdefault(r["partner"][len(WAREHOUSE_PARTY):], {"errors": 0, "warnings": 0, "decided": 0,
                                                                   "findings": 0})
        row[r["kind"]] += r["kind_count"]
        row["findings"] += r["kind_count"]
    return dict(sorted(out.items()))


def people_verdicts(events: pa.Table) -> dict[tuple[str, str], str]:
    """(partner, PO) -> "approved by X" / "rejected by X" for the orders a run answered after a
    person's verdict: their decision event (VERDICT_EVENTS) carries the person as its actor. ``events``:
    as summarise takes them (with an actor column)."""
    mine = _of_kinds(events, VERDICT_EVENTS)
    mine = mine.filter(pc.invert(pc.is_in(mine["actor"], value_set=pa.array(["", "system"]))))
    return {(ev["partner"], ev["po_number"]): f"{VERDICT_EVENTS[ev['event']]} by {ev['actor']}"
            for ev in mine.select(["partner", "po_number", "event", "actor"]).to_pylist()}


def _of_kinds(events: pa.Table, kinds: Iterable[str]) -> pa.Table:
    return events.filter(pc.is_in(events["event"], value_set=pa.array(list(kinds), pa.string())))


def totals(partners: Sequence[Mapping], warehouses: Mapping[str, Mapping] | None = None) -> dict:
    """The partners' rows summed; ``warehouses`` (warehouse_findings) add their findings to the errors,
    warnings, decided and findings counted (every finding of the failures report is in the totals)."""
    keys = [k for k, *_ in COLUMNS if k not in DOCUMENT_TYPES] + ["pending", "decided", "findings", "refused"]
    out: dict = {k: sum(p.get(k, 0) for p in partners) for k in keys}
    for w in (warehouses or {}).values():
        for k in ("errors", "warnings", "decided", "findings"):
            out[k] += w.get(k, 0)
    docs: Counter = Counter()
    for p in partners:
        docs.update(p["documents"])
    out["documents"] = dict(sorted(docs.items()))
    return out


def cell(partner: Mapping, key: str) -> int:
    """A COLUMNS value of a partner row (document types live under ``documents``; the 810 column counts a grocer's
    880s too: its invoices, INVOICE_SETS)."""
    if key not in DOCUMENT_TYPES:
        return partner.get(key, 0)
    docs = partner["documents"]
    return sum(docs.get(k, 0) for k in INVOICE_SETS) if key == "810" else docs.get(key, 0)


# --- the page ----------------------------------------------------------------------------------------
def render_summary_html(summary: Mapping, *, validation: Sequence[Mapping] | None = None,
                        sent: Sequence[Mapping] = (), sent_limit: int = 200) -> str:
    """summary.html: ``summary`` as written to summary.json (run, partners, totals, reports: name ->
    file name in the run's folder), GX's ``validation`` results (one dict per expectation, see
    rules.gx_runner.expectation_outcomes; None: GX did not run in this run), and the documents the
    run ``sent`` (partner, doc_type, file_name), at most ``sent_limit`` listed."""
    run = summary["run"]
    title = f"OrderBridge run {run['run_id']}"
    reports = summary.get("reports", {})
    failures_page = reports.get("failures_html", "failures.html")
    body = [f"<p>{e(run.get('kind', 'nightly').capitalize())} run on the run clock {e(run.get('clock', ''))}."
            + (f" It completed the work of run(s) {e(', '.join(run['covers']))}, which did not finish: their "
               "findings and documents are counted here." if run.get("covers") else "") + "</p>"]
    if summary.get("failure"):
        body.append(f'<p class="failed">A stage failed: {e(summary["failure"])}</p>')
    for p in summary["partners"]:
        if p.get("failure"):
            body.append(f'<p class="failed">Partner {e(p["partner"])} failed: {e(p["failure"])}</p>')
    for w in summary.get("warehouses", []):  # e.g. a 3PL's SFTP server down: its confirmations wait there
        if w.get("failure"):
            body.append(f'<p class="failed">Warehouse {e(w["warehouse"])} failed: {e(w["failure"])}; its '
                        "confirmations stay in its inbox for the next run</p>")
    t = summary["totals"]
    docs = t["documents"]
    cards = [("Files read", t["files"]), ("Quarantined", t["quarantined"]), ("POs read", t["orders"]),
             ("Acknowledged", t["accepted"]), ("Held for a person", t["held"]), ("Rejected", t["rejected"]),
             ("Documents created", sum(docs.values())), ("Sent", t["delivered"]), ("Open errors", t["errors"]),
             ("Warnings", t["warnings"])]
    body.append('<div class="cards">' + "".join(f'<div class="card" id="{anchor("total", label)}"><b>{n:,}</b>'
                                                  f"{e(label)}</div>" for label, n in cards) + "</div>")
    body.append('<h2 id="partners">Per partner</h2>')
    rows = []
    for p in summary["partners"]:
        link = (f'<a href="{e(failures_page)}#{anchor("partner", p["partner"])}">{e(p["partner"])}</a>'
                if p.get("findings") else e(p["partner"]))  # the failures page has a section only then
        rows.append([link, *(cell(p, key) for key, *_ in COLUMNS)])
    rows.append(["<b>all partners</b>", *(cell(t, k) for k, *_ in COLUMNS)])
    body.append('<div class="scroll">' + table(["Partner", *(head for _, _, head, _ in COLUMNS)], rows,
                                                numeric=range(1, len(COLUMNS) + 1), raw=(0,)) + "</div>")
    body.append('<dl class="legend">' + "".join(f"<dt>{e(head)}</dt><dd>{e(text)}</dd>"
                                                for _, _, head, text in COLUMNS) + "</dl>")
    for p in summary["partners"]:  # a quarantined file that brought good POs all the same
        if said := partly_taken_line(p):
            body.append(f'<p class="partly-taken">{e(said)}</p>')
    if t.get("pending"):
        body.append(f"<p>{t['pending']:,} document(s) of this run are not delivered yet: the next run delivers "
                    "them.</p>")
    memo = [(p["partner"], p["on_memo"]) for p in summary["partners"] if p.get("on_memo")]
    if memo:  # why their shipments have no 810
        body.append('<p id="on-memo">Shipped on memo, no 810 by agreement (the partner\'s [fulfilment.invoice] '
                    "memo_order_types: the retailer pays for what it sells, its sales report or replenishment "
                    "order bills it): " + ", ".join(f"{e(p)} {n:,} order(s)" for p, n in memo) + ".</p>")
    body += _warehouses(summary, failures_page)
    body.append('<h2 id="reports">Reports and data</h2><ul>' + "".join(
        f'<li><a href="{e(name)}">{e(name)}</a>: {e(REPORT_NAMES.get(key, key))}</li>'
        for key, name in reports.items() if key != "summary_html") + "</ul>")
    body += _sent(sent, sent_limit)
    body += _validation(validation, summary.get("gx_note", ""))
    return page(title, body, style=STYLE)


REPORT_NAMES = {
    "summary": "this summary as JSON",
    "failures_html": "the failures report: every finding and what happened because of it",
    "failures_csv": "every finding, for a spreadsheet",
    "failures_hints": "what to do about each code of failures.csv, once per code (join on code)",
    "failures_parquet": "every finding, for tools",
    "allocation": "the order lines this run decided, as they stand (state, ACK, allocated, backordered)",
    "reservations": "the units per warehouse behind each line's allocated quantity",
    "validation": "Great Expectations' validation results, as data",
    "messages": "the partners' text messages (864s) this run received, for people",
    "finance_report": "this run's reconciliation: what partners ordered, we acknowledged, shipped and invoiced, "
                      "and every exception with its amount at risk",
    "dashboard": "this run's KPIs: volumes, fill rate, perfect orders, cycle times, error rates, SLAs, "
                 "chargeback risk",
    "finance_data": "this run's reconciliation and KPIs as CSV and Parquet (lines, exceptions, invoices ...)",
    "cumulative_finance_report": "the reconciliation over every run so far, each exception as people left it",
    "cumulative_dashboard": "the KPIs over every run so far",
    "cumulative_finance_data": "the reconciliation over every run so far, as CSV and Parquet",
}


WAREHOUSE_COLUMNS = (  # (key of a warehouse's result, heading)
    ("files", "Files read"), ("processed", "Processed"), ("quarantined", "Quarantined"), ("duplicates", "Duplicates"),
    ("shipments", "Shipments"), ("held", "Held"), ("late", "856 late"), ("acknowledgments", "997/TA1 sent"),
    ("errors", "Errors"), ("warnings", "Warnings"))


def _warehouses(summary: Mapping, failures_page: str) -> list[str]:
    """The warehouses' confirmations: each warehouse's counts (errors and warnings of every finding about
    its files, a partner's or not), and its own findings (those no partner's order owns, in the totals
    above) linked to their section of the failures report."""
    results = {w["warehouse"]: w for w in summary.get("warehouses", [])}
    own = summary.get("warehouse_findings", {})
    if not results and not own:
        return []
    rows = []
    for wid in sorted(set(results) | set(own)):
        w, o = results.get(wid, {}), own.get(wid, {})
        mine = f"{o.get('errors', 0):,} open error(s), {o.get('warnings', 0):,} warning(s)" if o else "none"
        if o:
            party = WAREHOUSE_PARTY + wid
            mine = f'<a href="{e(failures_page)}#{anchor("partner", party)}">{e(mine)}</a>'
        rows.append([e(wid), *(w.get(k, 0) for k, _ in WAREHOUSE_COLUMNS), mine])
    return ['<h2 id="warehouses">Per warehouse</h2>',
            "<p>Shipment confirmations read from each warehouse. Their findings about a partner's order are "
            "counted under that partner above; those that concern no order we hold (a PO we do not know, a "
            "file or row that could not be read, a file sent again) are the warehouse's own.</p>",
            '<div class="scroll">' + table(["Warehouse", *(h for _, h in WAREHOUSE_COLUMNS), "Its own findings"],
                                           rows, numeric=range(1, len(WAREHOUSE_COLUMNS) + 1),
                                           raw=(0, len(WAREHOUSE_COLUMNS) + 1)) + "</div>"]


def _sent(sent: Sequence[Mapping], limit: int) -> list[str]:
    out = [f'<h2 id="sent">Documents sent by this run ({len(sent):,})</h2>']
    if not sent:
        return [*out, "<p>None.</p>"]
    out.append(table(["Partner", "Type", "File"], [[d["partner"], d["doc_type"], d["file_name"]]
                                                   for d in sent[:limit]]))
    if len(sent) > limit:
        out.append(f"<p>{len(sent) - limit:,} more: see each partner's outbox.</p>")
    return out


def _validation(outcomes: Sequence[Mapping] | None, note: str) -> list[str]:
    out = ['<h2 id="validation">Validation (Great Expectations)</h2>']
    if outcomes is None:
        return [*out, f"<p>{e(note or 'Great Expectations did not validate order lines in this run.')}</p>"]
    failed = [o for o in outcomes if not o.get("success")]
    out.append(f"<p>{len(outcomes)} expectation(s) over the run's order lines: {len(outcomes) - len(failed)} "
               f"passed, {len(failed)} failed. Each unexpected row is a finding in the failures report.</p>")
    if note:
        out.append(f"<p>{e(note)}</p>")
    rows = []
    for o in outcomes:
        word = "passed" if o.get("success") else "could not run" if o.get("error") else "failed"
        result = f'<span class="{"passed" if o.get("success") else "failed"}">{word}</span>'
        rows.append([e(o.get("expectation", "")), e(o.get("column", "")), e(o.get("code", "")), result,
                     e(_count(o.get("evaluated"))), e(_count(o.get("unexpected"))), e(_percent(o.get("percent"))),
                     e(", ".join(str(x) for x in o.get("examples") or []) or o.get("error") or "")])
    out.append('<div class="scroll">' + table(["Expectation", "Column", "Finding code", "Result", "Rows checked",
                                               "Unexpected", "%", "Examples of unexpected values"], rows,
                                              numeric=(4, 5, 6), raw=range(8)) + "</div>")
    return out


def _count(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) else ""


def _percent(value: object) -> str:
    return f"{value:.2f}" if isinstance(value, (int, float)) else ""
