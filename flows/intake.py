"""Stage 1, per partner: archive (verified), check, answer 997/TA1, record orders and 860s, move the input."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime

from connectors.base import FileDrop, archive_name, is_safe_name
from connectors.local import LocalDrop
from connectors.order_store import OrderStore
from connectors.state import StateStore
from engine.process import Known, Outcome, process_file
from flows.documents import issue_documents
from flows.workspace import Workspace
from schemas.errors import TransientError
from schemas.findings import Finding, finding
from schemas.profile import PartnerProfile

ARRIVAL = ("_orderbridge", "ARRIVAL")  # a counter in the control-number table: order of arrival
REPLACE, CANCEL, CONFIRM = "05", "01", "06"


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
    accepted: int = 0
    held: int = 0
    rejected: int = 0
    findings: list[dict] = field(default_factory=list)
    failure: str = ""

    def to_dict(self) -> dict:
        d = asdict(self)
        d["documents"] = dict(self.documents)
        return d


DropFactory = Callable[[PartnerProfile], FileDrop]


def local_drops(ws: Workspace) -> DropFactory:
    return lambda profile: LocalDrop(ws.drop_root / profile.id, settle_seconds=profile.drop.local.settle_seconds,
                                     temp_suffixes=profile.drop.local.temp_suffixes)


def known_state(state: StateStore, partner: str) -> Known:
    return Known(interchanges=frozenset(state.interchanges(partner)))


# --- stage 1: intake ---------------------------------------------------------------------------------
def intake_partner(ws: Workspace, profile: PartnerProfile, state: StateStore, drop: FileDrop, *,
                   now: datetime, run_id: str) -> PartnerResult:
    """List the inbox; for each file: archive (verified), check, answer 997/TA1, store orders, move."""
    res = PartnerResult(partner=profile.id)
    local = drop if isinstance(drop, LocalDrop) else LocalDrop(ws.drop_root / profile.id)
    store = OrderStore(ws.orders_dir)
    _report_refusals(drop, res)
    for info in drop.list("inbox"):
        if not is_safe_name(info.name):
            continue
        data = drop.read("inbox", info.name, expected_size=info.size)
        sha = hashlib.sha256(data).hexdigest()
        res.files += 1
        archived = archive_name(now.date(), sha, info.name)
        if local.stat("archive", archived) is None:
            local.write("archive", archived, data)
        if hashlib.sha256(local.read("archive", archived)).hexdigest() != sha:
            raise TransientError("archived copy does not match the download", partner=profile.id, name=info.name)
        previous = state.file_status(profile.id, sha)
        if previous is not None:
            res.findings.append(_row(finding("FILE_DUPLICATE", f"{info.name} has the same content as a file "
                                             f"already {previous}; nothing was sent again.", file=info.name),
                                     profile.id))
            res.duplicates += 1
            res.warnings += 1
            _dispose(drop, local, info.name, data, "processed")
            continue
        outcome = process_file(data, file=info.name, sha256=sha, profile=profile,
                               known=known_state(state, profile.id), today=now.date())
        findings = list(outcome.findings)
        with state.transaction():
            res.documents.update(issue_documents(state, profile, outcome, now=now, run_id=run_id, held=findings))
            findings += _receive_orders(state, store, profile, outcome, now)
            if outcome.change_headers.num_rows:
                store.save_changes(profile.id, outcome.sha256, outcome.change_headers, outcome.changes)
                for h in outcome.change_headers.to_pylist():
                    state.add_change(profile.id, h["po_number"], h["change_ref"], outcome.sha256, outcome.file,
                                     now.isoformat())
                    if state.order(profile.id, h["po_number"]):
                        state.upsert_order(profile.id, h["po_number"], state.order(profile.id, h["po_number"])
                                           ["state"], now.isoformat(), note=f"860 change received in {outcome.file}")
            for sender, isa13 in outcome.interchanges_seen:
                state.record_interchange(profile.id, sender, isa13, sha)
            state.record_file(profile.id, sha, info.name, len(data), now.isoformat(),
                              "quarantined" if outcome.disposition == "quarantine" else "processed",
                              archive_path=archived, run_id=run_id, error_count=outcome.error_count)
        _dispose(drop, local, info.name, data, outcome.disposition)
        res.processed += outcome.disposition == "processed"
        res.quarantined += outcome.disposition == "quarantine"
        res.orders += outcome.orders.num_rows
        res.errors += sum(1 for f in findings if f.severity == "error")
        res.warnings += sum(1 for f in findings if f.severity == "warning")
        res.findings.extend(_row(f, profile.id) for f in findings)
    return res


def _receive_orders(state: StateStore, store: OrderStore, profile: PartnerProfile, outcome: Outcome,
                    now: datetime) -> list[Finding]:
    """Record each syntactically accepted PO as received (or as a duplicate/replace/cancel)."""
    out: list[Finding] = []
    if outcome.orders.num_rows == 0:
        return out
    store.save(profile.id, outcome.sha256, outcome.orders, outcome.lines)
    at = now.isoformat()
    for order in outcome.orders.to_pylist():
        po, purpose = order["po_number"], order["purpose"] or "00"
        live = state.order(profile.id, po)
        where = dict(file=outcome.file, isa13=order["isa13"], gs06=order["gs06"], st02=order["st02"], seg="BEG",
                     file_segment=order["st_file_segment"] + 1)
        if live and purpose == CANCEL:
            state.replace_reservations(profile.id, po, [], "")
            state.upsert_order(profile.id, po, "cancelled", at, note=f"cancelled by BEG01=01 in {outcome.file}")
            continue
        if live and purpose == CONFIRM:
            state.upsert_order(profile.id, po, live["state"], at, note=f"confirmation copy in {outcome.file}")
            continue
        if live and purpose != REPLACE:
            out.append(finding("ORDER_DUPLICATE", f"PO {po} was already received from {profile.id} (state "
                               f"{live['state']}); this copy is not processed.", element="BEG03", value=po, **where))
            state.upsert_order(profile.id, po, live["state"], at, note=f"duplicate copy in {outcome.file} ignored")
            continue
        if live and live["state"] == "shipped":
            out.append(finding("ORDER_DUPLICATE", f"PO {po} has shipped; the replacement is not applied.",
                               element="BEG01", value=purpose, **where))
            continue
        if live:
            state.replace_reservations(profile.id, po, [], "")
        [arrival] = state.take_numbers(*ARRIVAL, 1)
        state.upsert_order(profile.id, po, "received", at, source_file=outcome.file, source_sha256=outcome.sha256,
                           isa13=order["isa13"], gs06=order["gs06"], st02=order["st02"],
                           detail={"order_ref": order["order_ref"], "lines_key": outcome.sha256,
                                   "source_file": outcome.file, "arrival": arrival, "lines": order["line_count"],
                                   "version": order["version"], "purpose": purpose},
                           note=("replaced by " if live else "received in ") + outcome.file)
    return out


def _row(f: Finding, partner: str) -> dict:
    row = f.to_dict()
    row["partner"] = partner
    return row


def _report_refusals(drop: FileDrop, res: PartnerResult) -> None:
    """One error finding (and report row) per inbox entry the drop will never read; it stays there."""
    for r in drop.refused("inbox"):
        res.findings.append(_row(finding(r.code, f"{r.name} was not read ({r.reason}); it stays in the inbox "
                                         "until it is renamed or removed.", value=r.name), res.partner))
        res.errors += 1


def _dispose(drop: FileDrop, local: LocalDrop, name: str, data: bytes, disposition: str) -> None:
    """The input to processed/ or quarantine/; an older file of the same name there is kept."""
    folder = "quarantine" if disposition == "quarantine" else "processed"
    if drop is local:
        local.move_new("inbox", name, folder)
    else:
        local.write_new(folder, name, data)
        drop.move("inbox", name, "processed")
