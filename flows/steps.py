"""The nightly job's stages as plain functions (no prefect here, so they test fast):
pull + process one partner's inbox, deliver its pending documents, write the run summary.

Each stage is a call or two into connectors/, engine/ and the state store; decisions live in
engine.process. Order inside pull_partner matters: archive first, then process, then number and
store the answers (one transaction), then move the input to processed/ or quarantine/.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime

from connectors.base import FileDrop, is_safe_name
from connectors.local import LocalDrop
from connectors.state import StateStore
from engine.envelope import envelope_for, wrap, wrap_ta1
from engine.process import Known, Outcome, OutDoc, process_file
from flows.workspace import Workspace
from schemas.errors import TransientError
from schemas.findings import Finding, finding
from schemas.profile import PartnerProfile


@dataclass
class PartnerResult:
    partner: str
    files: int = 0
    processed: int = 0
    quarantined: int = 0
    duplicates: int = 0
    orders: int = 0
    documents: Counter = field(default_factory=Counter)
    delivered: int = 0
    errors: int = 0
    warnings: int = 0
    findings: list[dict] = field(default_factory=list)
    failure: str = ""

    def to_dict(self) -> dict:
        d = asdict(self)
        d["documents"] = dict(self.documents)
        return d


DropFactory = Callable[[PartnerProfile], FileDrop]


def local_drops(ws: Workspace) -> DropFactory:
    return lambda profile: LocalDrop(ws.drop_root / profile.id)


def known_state(state: StateStore, partner: str) -> Known:
    answered = frozenset(o["po_number"] for o in state.orders(partner) if o["state"] == "acknowledged")
    return Known(interchanges=frozenset(state.interchanges(partner)), acknowledged_pos=answered)


def issue_documents(state: StateStore, profile: PartnerProfile, outcome: Outcome, *, now: datetime,
                    run_id: str) -> Counter:
    """Number, render and store the outcome's documents: one transaction, so numbers are never reused."""
    env = envelope_for(profile)
    made: Counter = Counter()
    with state.transaction():
        for doc in outcome.documents:
            if state.document_exists(profile.id, doc.doc_key):
                continue
            content, isa13, gs06, st02 = _render(state, profile, env, doc, now)
            state.add_document(partner=profile.id, doc_type=doc.doc_type, doc_key=doc.doc_key,
                               file_name=f"{profile.id}-{doc.doc_type}-{isa13:09d}.x12", content=content,
                               at=now.isoformat(), isa13=f"{isa13:09d}", gs06=str(gs06 or ""), st02=st02,
                               source_sha256=outcome.sha256, po_number=",".join(doc.po_numbers), run_id=run_id)
            made[doc.doc_type] += 1
    return made


def _render(state: StateStore, profile: PartnerProfile, env, doc: OutDoc, now: datetime):
    [isa13] = state.take_numbers(profile.id, "ISA", 1)
    if doc.doc_type == "TA1":
        return wrap_ta1(env, list(doc.ta1), isa13=isa13, now=now), isa13, 0, ""
    [gs06] = state.take_numbers(profile.id, "GS", 1)
    st02s = state.take_numbers(profile.id, "ST", len(doc.bodies))
    set_id = {"FA": "997", "PR": "855"}[doc.functional_id]
    content = wrap(env, doc.functional_id, set_id, [list(b) for b in doc.bodies], isa13=isa13, gs06=gs06,
                   st02s=st02s, now=now)
    return content, isa13, gs06, ",".join(f"{n:04d}" for n in st02s)


def pull_partner(ws: Workspace, profile: PartnerProfile, state: StateStore, drop: FileDrop, *, now: datetime,
                 run_id: str) -> PartnerResult:
    """List the inbox; for each file: archive, process, answer, record, move. Never loses a file."""
    res = PartnerResult(partner=profile.id)
    local = drop if isinstance(drop, LocalDrop) else LocalDrop(ws.drop_root / profile.id)
    for bad in getattr(drop, "refused_names", lambda _f: [])("inbox"):
        f = finding("FILE_NAME_REFUSED", f"File name {bad!r} was refused; it stays on the server.", value=bad)
        res.findings.append(f.to_dict())
        res.errors += 1
    for info in drop.list("inbox"):
        if not is_safe_name(info.name):
            continue
        data = drop.read("inbox", info.name)
        sha = hashlib.sha256(data).hexdigest()
        res.files += 1
        archive_name = f"{now:%Y%m%d}-{sha[:12]}-{info.name}"
        if local.stat("archive", archive_name) is None:
            local.write("archive", archive_name, data)
        if hashlib.sha256(local.read("archive", archive_name)).hexdigest() != sha:
            raise TransientError("archived copy does not match the download", partner=profile.id, name=info.name)
        previous = state.file_status(profile.id, sha)
        if previous is not None:
            f = finding("FILE_DUPLICATE", f"{info.name} has the same content as a file already {previous}; "
                        "nothing was sent again.", file=info.name)
            res.findings.append(f.to_dict())
            res.duplicates += 1
            res.warnings += 1
            _dispose(drop, local, info.name, data, "processed")
            continue
        known = known_state(state, profile.id)
        outcome = process_file(data, file=info.name, sha256=sha, profile=profile, known=known, today=now.date())
        made = issue_documents(state, profile, outcome, now=now, run_id=run_id)
        res.documents.update(made)
        _record_orders(state, profile, outcome, now)
        for sender, isa13 in outcome.interchanges_seen:
            state.record_interchange(profile.id, sender, isa13, sha)
        state.record_file(profile.id, sha, info.name, len(data), now.isoformat(),
                          "quarantined" if outcome.disposition == "quarantine" else "processed",
                          archive_path=archive_name, run_id=run_id, error_count=outcome.error_count)
        _dispose(drop, local, info.name, data, outcome.disposition)
        res.processed += outcome.disposition == "processed"
        res.quarantined += outcome.disposition == "quarantine"
        res.orders += len(outcome.accepted_orders)
        res.errors += outcome.error_count
        res.warnings += sum(1 for f in outcome.findings if f.severity == "warning")
        res.findings.extend(_finding_row(f, profile.id) for f in outcome.findings)
    return res


def _finding_row(f: Finding, partner: str) -> dict:
    row = f.to_dict()
    row["partner"] = partner
    return row


def _dispose(drop: FileDrop, local: LocalDrop, name: str, data: bytes, disposition: str) -> None:
    folder = "quarantine" if disposition == "quarantine" else "processed"
    if drop is local:
        drop.move("inbox", name, folder)
    else:
        local.write(folder, name, data)
        drop.move("inbox", name, "processed")


def _record_orders(state: StateStore, profile: PartnerProfile, outcome: Outcome, now: datetime) -> None:
    accepted = set(outcome.accepted_orders)
    for order in outcome.orders.to_pylist():
        st = "acknowledged" if order["order_ref"] in accepted else "duplicate"
        if st == "duplicate" and state.order(profile.id, order["po_number"]):
            state.upsert_order(profile.id, order["po_number"], state.order(profile.id, order["po_number"])["state"],
                               now.isoformat(), note=f"resent in {outcome.file}; not acknowledged again")
            continue
        state.upsert_order(profile.id, order["po_number"], st, now.isoformat(), source_file=outcome.file,
                           source_sha256=outcome.sha256, isa13=order["isa13"], gs06=order["gs06"],
                           st02=order["st02"], detail={"lines": order["line_count"], "version": order["version"]},
                           note=f"received in {outcome.file}")


def deliver_partner(profile: PartnerProfile, state: StateStore, drop: FileDrop, *, now: datetime) -> int:
    """Write every pending document to the partner's outbox; a failed write stays pending."""
    n = 0
    for doc in state.pending_documents(profile.id):
        existing = drop.stat("outbox", doc.file_name)
        if existing is None or existing.size != len(doc.content) or drop.read("outbox", doc.file_name) != doc.content:
            drop.write("outbox", doc.file_name, doc.content)
        state.mark_delivered(doc.id, now.isoformat())
        n += 1
    return n


def run_id_for(now: datetime, ws: Workspace) -> str:
    base = now.strftime("%Y%m%dT%H%M%S")
    run_id, k = base, 1
    while (ws.reports_dir / run_id).exists():
        k += 1
        run_id = f"{base}-{k}"
    return run_id


def write_reports(ws: Workspace, run_id: str, results: list[PartnerResult], *, started: datetime,
                  finished: datetime) -> dict:
    folder = ws.reports_dir / run_id
    folder.mkdir(parents=True, exist_ok=True)
    summary = {"run_id": run_id, "started": started.isoformat(), "finished": finished.isoformat(),
               "partners": [r.to_dict() | {"findings": len(r.findings)} for r in results],
               "reports": {"summary": str(folder / "summary.json"), "findings_csv": str(folder / "findings.csv")}}
    rows = [f for r in results for f in r.findings]
    (folder / "findings.csv").write_bytes(findings_csv(rows))
    (folder / "summary.json").write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    return summary


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def findings_csv(rows: list[Mapping]) -> bytes:
    buf = io.StringIO()
    cols = ["partner", "severity", "code", "message", "file", "isa13", "gs06", "st02", "segment_id",
            "segment_position", "element", "value"]
    w = csv.writer(buf)
    w.writerow(cols)
    for r in rows:
        loc = r.get("location", {})
        vals = [r.get("partner", ""), r["severity"], r["code"], r["message"], *(loc.get(c, "") for c in cols[4:])]
        w.writerow(["'" + str(v) if str(v).startswith(_FORMULA) else v for v in vals])
    return buf.getvalue().encode("utf-8")
