"""`orderbridge state rebuild` and the catch-up after `state restore`: a state store brought up to date
with what the workspace's files prove happened, so that no control number is used again, no file is
answered again and no outbox file is written over.

  1. every outbox file the store does not know is recorded as a delivered document (its sets, what
     they answer; a CSV acknowledgment's orders, and an 870 Order Status Report sent for an 855, each read as
     the 855 it stands for), and each partner's
     ISA/GS/ST (and CSV acknowledgment) numbers are raised to at least the highest sent;
  2. every archived file the store does not know (and that is not back in the inbox) is replayed
     through intake, oldest first (a CSV order file as intake reads one): its file record, interchanges,
     orders and 860s (engine.lifecycle plans them as the night did; its 997/TA1 are the outbox's, none is built again),
     and the 820s' and 812s' rows of its kept sets, into state/remittance unless the file's are there (its sets are
     not handed off again: handoff/ is written once, the ERP may have taken them); then the partners' 997/999/TA1s
     and 824s of those files are recorded as intake records them, in arrival order, once the outbox's documents
     they answer are (_partner_answers), each outbox document dated when it was sent (its envelope: _sent_at);
  3. the orders the outbox answered are made what the answers said (engine.lifecycle.plan_restored),
     with the units of the newest allocation table in reports/ reserved again (a line's allocation in the
     order's unit, its reservations in the stock's); a line no report holds (reports/ cleaned up) is placed as
     its answers said (lifecycle.restore.placed_by_answers), the notes naming the orders where that is not exact;
  4. the lines of the 856s and 810s in the outboxes are recorded for the reconciliation, as `orderbridge
     record` keeps another system's, so finance still sees what was shipped and invoiced; an 880's lines cannot
     be (a G17 names no PO line): the notes name the outbox files holding 880s, whose invoice numbers are raised
     all the same;
  5. the warehouses' archived confirmations are replayed into the store's shipments (cartons, SSCCs, lines
     shipped, reservations consumed), each tied to the 856 the partner got, and the outboxes' 810s recorded as its
     invoices (flows.rebuild_shipments); the recorded lines of step 4 they replace are removed; a release an 860
     moved to another blanket after part of it shipped keeps what shipped before the move (_restore_moves).

What the files cannot tell is not invented: people's decisions not yet answered (those orders are
decided again by the next run), the history before the rebuild, past runs and their findings.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from connectors.order_store import OrderStore
from connectors.state import COMPANY, StateStore
from engine import lifecycle
from engine.changes import CANCEL_PURPOSES, sacs_placed_as  # BCH01: the 860 cancels the order (01, 17)
from engine.csv_ack import HELD_STATUS, read_csv_ack
from engine.finance_inputs import csv_parts
from engine.lifecycle.restore import ANSWERS, LineStock, lines_unreported, stock_unsure
from engine.order_status import as_acks
from engine.po_ack import ack_type
from engine.process import process_csv_file, process_file
from engine.resend import ISA_LENGTH, sets_read
from engine.sscc import serial_of
from flows import handoff, rebuild_shipments
from flows.intake import _continued, as_taken, known_for
from flows.releases import key_releases
from flows.workspace import Workspace
from parsers.outbox_documents import read_sent
from parsers.sent_documents import read_sent_lines
from parsers.x12_reader import read_interchanges
from schemas.errors import StateError
from schemas.fulfilment import CsvAckSettings
from schemas.order_keys import SEP, is_ref_key, release_key, x12_po
from schemas.profile import PartnerProfile
from schemas.reports import warehouse_party
from schemas.transport import CSV_ACK, DEFAULT_CSV, NamePattern

ITEM_COLUMNS = ("upc", "gtin", "ean", "vendor_part", "buyer_part")  # a stored line's item ids beside product_ids

ARCHIVED = re.compile(r"^(\d{8})-([0-9a-f]{12})-(.+)$")  # <YYYYMMDD>-<sha256[:12]>-<name> (flows.intake)


@dataclass
class Rebuilt:
    """What a rebuild or catch-up added to the store, for the command's output and the docs."""

    documents: int = 0
    numbers: dict[str, int] = field(default_factory=dict)  # "partner ISA" -> the last number now
    files: int = 0
    orders: int = 0
    answered: int = 0
    reservations: int = 0
    recorded: int = 0  # lines of the outboxes' 856s and 810s recorded for the reconciliation
    resends: int = 0  # outbox files that are documents sent again under new control numbers (`orderbridge resend`)
    reported: set[tuple[str, str]] = field(default_factory=set)  # orders whose allocation a run report held
    waiting: list[str] = field(default_factory=list)  # "partner/PO" billed per order, an 856 sent and no 810
    invoices: int = 0  # invoices recorded again from the outboxes' 810s (rebuild_shipments.reinvoice)
    shipments: int = 0  # shipments recorded again from the warehouses' archived confirmations (rebuild_shipments)
    remittances: int = 0  # archived files whose 820/812 rows were read again into state/remittance (flows.handoff)
    notes: list[str] = field(default_factory=list)


def catch_up(ws: Workspace, state: StateStore, *, at: datetime, run_id: str) -> Rebuilt:
    """Bring ``state`` (empty, or restored from a backup) up to date with the workspace's files."""
    out = Rebuilt()
    profiles = ws.partners()
    acks: list[tuple[str, str, str, str, str]] = []
    answered: list[Answered] = []  # the partners' 997/999/TA1/824 files replayed, recorded once the outbox is
    # [continues]: the orders of a partner another carries on (A) are replayed first, so that the continuer's (B's)
    # outbox files answering A's orders are recorded as A's (_record_outbox) and B's 860s for them are A's (_replay)
    continued = {c.partner for p in profiles.values() if (c := p.continues) is not None and c.partner in profiles}
    taken = _replay_archive(ws, state, profiles, out, run_id=run_id, only=continued,
                            answered=answered) if continued else {}
    sent = _record_outbox(ws, state, profiles, out, at=at.isoformat(), run_id=run_id, acks=acks)
    _warehouse_outboxes(ws, state, out, at=at.isoformat(), run_id=run_id)
    taken = {**taken, **_replay_archive(ws, state, profiles, out, run_id=run_id, skip=continued,
                                               answered=answered)}
    _link_acks(state, acks, taken)
    _partner_answers(state, profiles, answered, run_id=run_id)
    _restore_answers(ws, state, sent, out, at=at.isoformat(), run_id=run_id)
    _restore_holds(ws, state, profiles, out, run_id=run_id)
    if ws.warehouses():
        _reship(ws, state, profiles, out, at=at.isoformat(), run_id=run_id)
    _restore_moves(ws, state, out, run_id=run_id)
    _document_verdicts(ws, state, profiles, run_id=run_id)  # (each 856's and 810's under its shipment or invoice)
    waiting = [o for o in out.waiting if not state.shipments_for_order(*o.split("/", 1))]
    if waiting:
        out.notes.append(f"{len(waiting)} order(s) of partners billed per order were shipped and not invoiced yet "
                         "and their shipments not made again (no warehouse confirmation archived here): "
                         + ", ".join(waiting[:10]) + ". The 810 due once the order ships complete will not bill what "
                         "shipped before the rebuild: invoice those units by hand (docs/state-store.md, Recovery)")
    for pid, p in sorted(profiles.items()):
        if p.delivery.via == "mailbox":
            from flows.mailbox import sent_copies

            kept = sent_copies(ws, pid)
            n = sum(1 for f in kept.iterdir() if f.is_file() and not f.name.startswith(".")) if kept.is_dir() else 0
            out.notes.append(f"{pid}: its documents go through the VAN mailbox's outbound folder ([delivery] via = "
                             f"\"mailbox\"), which the VAN empties: read from the copies kept of them in "
                             f"{kept.relative_to(ws.root).as_posix()}/ ({n} file(s)); a file put there before "
                             "OrderBridge kept copies is not: if any was, check the partner's last ISA13/GS06/ST02 "
                             "received and raise the numbers (docs/state-store.md, Recovery)")
        elif p.drop.kind != "local":
            out.notes.append(f"{pid}: its outbox is on its SFTP server, not read here; if files were sent since the "
                             "backup (or ever, for a rebuild), check the partner's last ISA13/GS06/ST02 received "
                             "and raise the numbers (docs/state-store.md, Recovery)")
    return out


def _restore_holds(ws: Workspace, state: StateStore, profiles: dict[str, PartnerProfile], out: Rebuilt, *,
                   run_id: str) -> None:
    """The orders back `received` (no answer of them in the outboxes) held again as the newest run report naming them
    says (engine.lifecycle.restore_holds: its failures rows of the decide and recheck stages), so the approvals queue
    is what it was; those the reports cannot tell held are named in the notes."""
    from engine.lifecycle import restore_holds

    waiting = restore_holds.undecided(state.orders())
    if not waiting:
        return
    rows: dict[tuple[str, str], list[restore_holds.ReportRow]] = {}
    reports = []
    for summary in ws.reports_dir.glob("*/summary.json"):
        failures = summary.with_name("failures.parquet")
        try:
            run = json.loads(summary.read_text())["run"]
            clock, rid = str(run["clock"]), str(run.get("run_id") or summary.parent.name)
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if failures.is_file():
            reports.append((clock, rid, failures))
    for clock, rid, failures in sorted(reports):  # the newest report naming an order last: its rows kept
        try:
            t = pq.read_table(failures, columns=["partner", "po_number", "line_number", "code", "message",
                                                 "consequence", "stage"])
        except (OSError, ValueError, KeyError, pa.ArrowException):
            continue
        mine: dict[tuple[str, str], list[restore_holds.ReportRow]] = {}
        for r in t.to_pylist():
            key = (r["partner"] or "", r["po_number"] or "")
            if key in waiting and r["stage"] in ("decide", "recheck"):
                line = r["line_number"]
                mine.setdefault(key, []).append(restore_holds.ReportRow(
                    clock, rid, r["code"] or "", None if line is None else int(line), r["message"] or "",
                    r["consequence"] or ""))
        rows.update(mine)
    policies = {pid: p.rules.outcomes for pid, p in profiles.items()}
    done = restore_holds.plan_holds(waiting, rows, policies, run_id=run_id)
    if done.held:
        state.apply(done.plan, run_id=run_id)
        out.notes.append(f"{len(done.held)} order(s) held for a person again, as the run report of the night that "
                         "held them says (hold codes and reasons; `orderbridge approvals` lists them): "
                         + ", ".join(f"{p}/{po}" for p, po in done.held[:10]))
    if done.unknown:
        out.notes.append(f"{len(done.unknown)} order(s) came back received, no answer of them in the outboxes, and "
                         "no run report tells whether a person was to decide them: " + "; ".join(
                             f"{p}/{po} ({why})" for (p, po), why in done.unknown[:10]) + ". The next night decides "
                         "them again (held again if their findings still hold them)")


def _restore_moves(ws: Workspace, state: StateStore, out: Rebuilt, *, run_id: str) -> None:
    """The releases an 860 moved to another blanket (REF*CT / REF*AH) after part of them shipped keep what shipped
    before the move on the blanket they left (engine.lifecycle.restore_moves: moved_from, moved_shipped, as the
    night's decide kept them), read from the files once the shipments are made again: each revision's references
    from its stored ORDERS row (the 850's, then each 860's applied, when it was taken in), the units of the shipments
    whose 856 was sent before the 860 came; their records' contract and agreement the newest revision's."""
    from engine.blankets import RELEASE, drawing, held_blankets
    from engine.lifecycle import restore_moves
    from schemas.lifecycle import BLANKET_REF_FIELDS

    every = state.orders()
    releases = {r.key: r for r in every if (r.order_type or "") == RELEASE and r.change_file}
    if not releases:
        return
    store = OrderStore(ws.orders_dir)
    columns = ["order_ref", "po_number", *BLANKET_REF_FIELDS]
    changes: dict[tuple[str, str], list] = defaultdict(list)
    for c in state.pending_changes(None, keys=releases):
        changes[(c.partner, c.po_number)].append(c)
    revisions, sent, lines = {}, {}, {}
    for key, record in releases.items():
        revs = []
        for at, table_key in [(record.received_at, record.source_sha256)] + [
                (c.received_at, f"{c.store_key}-{c.change_ref}") for c in sorted(changes.get(key, ()),
                                                                                  key=lambda c: c.id)]:
            try:
                rows = store.load_orders(key[0], table_key, columns).to_pylist()
            except StateError:
                continue  # (an 860 refused or superseded: no revision of it)
            mine = [r for r in rows if r["order_ref"] == record.order_ref] if table_key == record.source_sha256 \
                else rows
            if mine:
                revs.append(restore_moves.Revision(at, {f: mine[0][f] or "" for f in BLANKET_REF_FIELDS}))
        revisions[key] = revs
        sent[key] = restore_moves.sent_units(key[1], state.shipments_for_order(*key))
        lines[key] = state.order_lines(*key)
    blankets = held_blankets(drawing(every, ()))
    done = restore_moves.plan_moves(releases, revisions, sent, lines, blankets)
    if done.plan.transitions:
        state.apply(done.plan, run_id=run_id)
    if done.kept:
        out.notes.append(f"{len(done.kept)} release(s) moved to another blanket by an 860 after part of them shipped: "
                         "what shipped before the move counts on the blanket each left, the rest on the one it names "
                         "now, as the night kept it (the 856s sent before the 860 came): "
                         + ", ".join(f"{p}/{po}" for p, po in done.kept[:10]))


def _reship(ws: Workspace, state: StateStore, profiles: dict[str, PartnerProfile], out: Rebuilt, *, at: str,
            run_id: str) -> None:
    """Step 5 (flows.rebuild_shipments): the warehouses' archived confirmations replayed into the store's shipments,
    each tied to the 856 in the outbox the partner got; the 856 lines step 1 recorded for the reconciliation of
    the shipments so made removed (the shipments are read instead)."""
    files = {pid: _sent_files(ws, pid, p) for pid, p in profiles.items()
             if p.drop.kind == "local" or p.delivery.via == "mailbox"}
    # the documents step 1 recorded (their sets keyed sent:<file>:<n>), not a restored backup's own
    recorded = {(pid, d.file_name) for pid in profiles for d in state.documents(pid) if d.doc_key.startswith("sent:")}
    sent = rebuild_shipments.sent_856s(files, recorded, at=at, sent_at=_sent_at)
    out.shipments, found = rebuild_shipments.reship(ws, state, profiles, sent, out.notes, archived=_archived,
                                                    reported=out.reported, at=at, run_id=run_id)
    by_partner: dict[str, set[str]] = defaultdict(set)
    for pid, sid in found:
        by_partner[pid].add(sid)
    for pid, sids in sorted(by_partner.items()):
        out.recorded -= state.forget_sent_lines(pid, "856", sids)
    invoiced: dict[str, set[str]] = defaultdict(set)
    for pid, number in rebuild_shipments.reinvoice(state, files, recorded, out.notes, at=at, run_id=run_id,
                                                   sent_at=_sent_at, profiles=profiles):
        invoiced[pid].add(number)
        out.invoices += 1
    for pid, numbers in sorted(invoiced.items()):
        out.recorded -= state.forget_sent_lines(pid, "810", numbers)
    if out.recorded:
        out.notes.append(f"{out.recorded:,} line(s) of the 856s and 810s in the outboxes are recorded for the "
                         "reconciliation (their shipments and invoices not made again as the store's), so the finance "
                         "report shows what was shipped and invoiced (docs/state-store.md, Recovery)")


# --- 1. what was sent -------------------------------------------------------------------------------------
def _warehouse_outboxes(ws: Workspace, state: StateStore, out: Rebuilt, *, at: str, run_id: str) -> None:
    """The 997s/TA1s we answered the warehouses' 945s with (flows.shipments), in their local drops' outboxes:
    recorded as delivered, each warehouse's ISA13/GS06/ST02 raised past theirs (never used again), and each tied to
    the archived 945 file it answers (_archived_945s, as a partner's to its replayed file: StateStore.answers_to_file
    finds it, and status under a shipment of that file where the store holds one); its [delivery] folders too (each
    file is read whatever its name); an SFTP drop's outbox is not read here (noted)."""
    acks: list[tuple[str, str, str, str, str]] = []
    taken: dict[str, list[Taken]] = {}
    for wid, w in sorted(ws.warehouses().items()):
        party = warehouse_party(wid)
        if w.drop.kind != "local":
            if w.format == "945" and w.send_997:
                out.notes.append(f"warehouse {wid}: its outbox is on its SFTP server, not read here; check the last "
                                 "ISA13/GS06/ST02 of our 997s it received and raise the numbers (docs/state-store.md, "
                                 "Recovery)")
            continue
        outbox = ws.warehouse_drop_root / wid / "outbox"
        known = {d.file_name for d in state.documents(party)}
        top: dict[str, int] = {}
        # the outbox and its [delivery] folders (a 3PL's 997s in outbox/fa/ ...), each file by name
        sent = sorted((p for sub in w.delivery.sent_folders() if (outbox / sub).is_dir()
                       for p in (outbox / sub).iterdir()), key=lambda p: p.name)
        for path in sent:
            if path.name.startswith(".") or not path.is_file():
                continue
            data = path.read_bytes()
            interchanges = read_sent(data, file=path.name)
            sets = []
            for ic in interchanges:
                _top(top, "ISA", ic.isa13)
                for s in ic.sets:
                    _top(top, "GS", s.gs06)
                    _top(top, "ST", s.st02)
                    key = f"sent:{path.name}:{len(sets) + 1}"
                    sets.append({"doc_key": key, "set_id": s.set_id, "st02": s.st02, "gs06": s.gs06,
                                 "answers_isa13": s.answers_isa13, "answers_gs06": s.answers_gs06})
                    if path.name not in known and s.set_id in ("997", "TA1"):
                        acks.append((party, key, ic.date, s.answers_isa13 if s.set_id == "TA1" else "",
                                     s.answers_gs06 if s.set_id == "997" else ""))
            if path.name in known or not interchanges:
                continue
            first = interchanges[0]
            state.record_sent(party, sets[0]["set_id"] if sets else "TA1", path.name, first.isa13,
                              first.sets[0].gs06 if first.sets else "", data, sets, at=_sent_at(data, at),
                              run_id=run_id)
            out.documents += 1
        for kind, n in sorted(top.items()):
            state.raise_number(party, kind, n)
            out.numbers[f"{party} {kind}"] = state.last_number(party, kind)
        if w.format == "945" and any(a[0] == party for a in acks):
            taken[party] = _archived_945s(ws.warehouse_drop_root / wid / "archive", w)
    _link_acks(state, acks, taken)


def _archived_945s(folder: Path, warehouse) -> list[Taken]:
    """The warehouse's archived 945 files (flows.shipments archives each as a partner's file is), oldest first, each
    with the ISA13s and GS06s of its interchanges from the warehouse (its profile's [sender], when it names one): what
    its 997s (AK102) and TA1s (TA101) answer."""
    sender = (warehouse.sender.qualifier, warehouse.sender.id) if warehouse.sender else None
    out: list[Taken] = []
    for path in _archived(folder):
        data = path.read_bytes()
        mine = [ic for ic in read_interchanges(data, file=path.name).interchanges
                if sender is None or (ic.sender_qualifier.strip(), ic.sender.strip()) == sender]
        out.append((ARCHIVED.match(path.name).group(1), hashlib.sha256(data).hexdigest(),
                    frozenset(ic.control_number for ic in mine),
                    frozenset(g.control_number for ic in mine for g in ic.groups)))
    return out


def _record_outbox(ws: Workspace, state: StateStore, profiles: dict[str, PartnerProfile], out: Rebuilt, *,
                   at: str, run_id: str, acks: list) -> dict[tuple[str, str], list[lifecycle.SentAnswer]]:
    answers: dict[tuple[str, str], list[lifecycle.SentAnswer]] = defaultdict(list)
    order: dict[tuple[str, str], int] = {}
    grocery: list[str] = []  # outbox files holding 880s (their lines cannot be recorded)
    billed: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))  # partner -> set id -> POs
    # (a partner carrying on another's orders after that one: a resend in its outbox may copy the other's document)
    for pid in sorted(profiles, key=lambda p: (_carried_on(profiles, p) is not None, p)):
        other = _carried_on(profiles, pid)  # [continues]: the partner whose orders this one's outbox answers too
        known = {d.file_name for q in {pid, other or pid} for d in state.documents(q)} | {
            r["file_name"] for q in {pid, other or pid} for r in state.resends(q)}
        owners: dict[str, str] = {}
        top: dict[str, int] = {}
        csv_name = _csv_ack_name(pid, profiles[pid])
        files = _sent_files(ws, pid, profiles[pid])
        resent = _resent_copies(files, csv_name, _sent_files(ws, other, profiles[other]) if other else ())
        for path in files:
            data = path.read_bytes()
            csv_ack = csv_name.fullmatch(path.name)
            if csv_ack:  # a CSV acknowledgment (flows.documents.renderer): its number is its file name's
                top["CSV"] = max(top.get("CSV", 0), int(csv_ack.group("number")))
                order[(pid, path.name)] = int(csv_ack.group("number"))
                if path.name not in known:
                    said = _csv_answers(path.name, data, profiles[pid])
                    state.record_sent(pid, "CSV", path.name, "", "", data,
                                      [{"doc_key": a.doc_key, "set_id": "CSV", "po_number": po} for po, a in said],
                                      at=at, run_id=run_id)
                    for po, a in said:
                        answers[(pid, po)].append(a)
                    out.documents += 1
                continue
            interchanges = read_sent(data, file=path.name)
            for ic in interchanges:
                _top(top, "ISA", ic.isa13)
                for s in ic.sets:
                    _top(top, "GS", s.gs06)
                    _top(top, "ST", s.st02)
            isa13 = interchanges[0].isa13 if interchanges else ""
            owner = owners[path.name] = _owner(state, profiles, pid, other, interchanges)
            order[(owner, path.name)] = int(isa13) if isa13.isdigit() else 0
            if path.name in known or not interchanges or path.name in resent:
                continue  # (a resend: recorded as one below, once the document it copies is)
            sets, first = [], interchanges[0]
            for ic in interchanges:
                for s in ic.sets:
                    key = f"sent:{path.name}:{len(sets) + 1}"
                    sets.append({"doc_key": key, "set_id": s.set_id, "st02": s.st02, "gs06": s.gs06,
                                 "po_number": s.po_number, "answers_isa13": s.answers_isa13,
                                 "answers_gs06": s.answers_gs06})
                    if s.set_id in ("997", "TA1"):  # tied to the file it answers once the archive is replayed
                        acks.append((owner, key, ic.date, s.answers_isa13 if s.set_id == "TA1" else "",
                                     s.answers_gs06 if s.set_id == "997" else ""))
                    if s.set_id in ("855", "865") and s.po_number:  # by the release answered (BAK05, BCA04)
                        named = release_key(s.po_number, s.release_number) if s.release_number else s.po_number
                        answers[(owner, named)].append(lifecycle.SentAnswer(
                            s.set_id, key, path.name, ic.date, s.purpose, s.ack_type, s.lines, s.prices, s.units,
                            s.items, s.promised))
                    elif s.set_id == "870" and s.po_number:  # an 870 sent for the 855: read as the 855 it stands for
                        named = release_key(s.po_number, s.release_number) if s.release_number else s.po_number
                        answers[(owner, named)].append(_status_answer(s, key, path.name, ic.date))
            doc_type = sets[0]["set_id"] if sets else "TA1"
            state.record_sent(owner, doc_type, path.name, first.isa13, first.sets[0].gs06 if first.sets else "", data,
                              sets, at=_sent_at(data, at), run_id=run_id)
            out.documents += 1
            for s in sets:
                if s["set_id"] in ("810", "880") and s["po_number"]:
                    billed[owner][s["set_id"]].add(s["po_number"])
            if any(s["set_id"] in ("856", "810") for s in sets):
                out.recorded += _record_fulfilment(state, owner, path.name, data, at=at, pos=billed[owner])
            if any(s["set_id"] == "880" for s in sets):
                grocery.append(path.name)
        for path in files:
            if path.name in resent and path.name not in known:
                first, theirs = resent[path.name]
                _record_resend(ws, state, pid, path, first, at=at, run_id=run_id,
                               owner=other if theirs else owners.get(first, pid))
                out.resends += 1
        for kind, n in sorted(top.items()):
            state.raise_number(pid, kind, n)
            out.numbers[f"{pid} {kind}"] = state.last_number(pid, kind)
    if out.resends:
        out.notes.append(f"{out.resends} outbox file(s) hold documents sent again under new control numbers "
                         "(`orderbridge resend --new-control-numbers`: the same sets as an earlier file in a new "
                         "envelope): recorded as resends of that document, not as documents of their own (who asked "
                         "and why are in no file: `orderbridge resends` says \"state rebuild\")")
    if grocery:
        out.notes.append(f"{len(grocery)} outbox file(s) hold 880 grocery invoices ({', '.join(grocery[:5])}): the "
                         "invoice numbers are raised past theirs, but their lines are not recorded for the "
                         "reconciliation (an 880's G17 names no PO line), so the finance report shows those orders "
                         "shipped and not invoiced until the 880s are recorded again (docs/state-store.md, "
                         "Recovery)")
    # (a partner billed per order: one 810 once the order shipped complete, from the order's recorded shipments)
    waiting = [f"{pid}/{po}" for pid, sent in sorted(billed.items())
               if pid in profiles and profiles[pid].fulfilment.invoice.per == "order"
               for po in sorted(sent["856"] - sent["810"] - sent["880"])]
    out.waiting = waiting  # (named once the shipments are made again: _reship, those it could not make)
    for kind, n in sorted(_company_numbers(ws, profiles).items()):  # SSCC serials, invoice numbers: never again
        state.raise_number(COMPANY, kind, n)
        out.numbers[f"company {kind}"] = state.last_number(COMPANY, kind)
    for key in answers:  # in the order they were sent: by day, then ISA13 (a partner's sequence)
        answers[key].sort(key=lambda a: (a.date, order[(key[0], a.file_name)]))
    return answers


def _carried_on(profiles: dict[str, PartnerProfile], pid: str) -> str | None:
    """The partner whose orders ``pid`` carries on ([continues], a profile of the workspace), else None."""
    c = profiles[pid].continues
    return c.partner if c is not None and c.partner in profiles and c.partner != pid else None


def _owner(state: StateStore, profiles: dict[str, PartnerProfile], pid: str, other: str | None,
           interchanges) -> str:
    """Whose document an outbox file of ``pid`` is: ``other``'s (the partner ``pid`` carries on, [continues]) when
    every PO its sets answer is an order ``other`` holds and ``pid`` does not (A's 855/865/856/810 sent under B's
    envelope to B's drop: flows.workspace.delivering), as the night recorded it; a 997/TA1 addressed to ``other``'s
    ids, not ``pid``'s (A's answer to a straggler from A's ids, delivered to B's drop with A's other documents), is
    ``other``'s too; else ``pid``'s (its 997s to its own ids)."""
    pos = {s.po_number for ic in interchanges for s in ic.sets if s.po_number}
    if other is None:
        return pid
    if not pos:
        mine, theirs = profiles[pid].x12, profiles[other].x12
        to = {ic.receiver for ic in interchanges}
        return other if interchanges and mine is not None and theirs is not None and all(
            not mine.sends_from(*r) and theirs.sends_from(*r) for r in to) else pid
    theirs = state.orders_for({(other, po) for po in pos})
    return other if len(theirs) == len(pos) and not state.orders_for({(pid, po) for po in pos}) else pid


def _resent_copies(files: list[Path], csv_name: re.Pattern[str], carried: list[Path] | tuple = ()
                   ) -> dict[str, tuple[str, bool]]:
    """The files among a partner's ``files`` that are an earlier file's transaction sets re-enveloped under new
    control numbers (engine.resend.renumbered: the same sets, ST02s included, which are never reused; or readdressed,
    [continues]: the same values under another partner's delimiters, engine.resend.sets_read), each with (the name of
    the file it copies, whether that file is one of ``carried``: the outbox of the partner whose orders this one
    carries on, its document sent to its own ids before the date and resent under this partner's envelope). Of files
    holding the same sets, one in ``carried`` (sent before any of this partner's) is the document, else the one of
    the lowest ISA13 (the first sent: numbers only go up); the others of ``files`` its resends. A byte-for-byte
    resend is the document's own file again and leaves nothing to find."""
    firsts: dict[tuple, list[tuple[bool, int, str]]] = defaultdict(list)
    for theirs, paths in ((True, carried), (False, files)):
        for path in paths:
            if not theirs and csv_name.fullmatch(path.name):
                continue
            data = path.read_bytes()
            body = sets_read(data)
            isa = data[:ISA_LENGTH].split(data[3:4]) if body is not None else []
            isa13 = isa[13].strip() if len(isa) == 17 else b""
            if body is not None and isa13.isdigit():
                firsts[body].append((not theirs, int(isa13), path.name))
    out = {}
    for copies in firsts.values():
        if len(copies) > 1:
            (mine, _, first), *rest = sorted(copies)
            out.update((name, (first, not mine)) for ours, _, name in rest if ours)
    return out


def _record_resend(ws: Workspace, state: StateStore, pid: str, path: Path, first: str, *, at: str,
                   run_id: str, owner: str = "") -> None:
    """An outbox file that is a resend (_resent_copies) recorded as one of the document of file ``first`` (as
    `orderbridge resend --new-control-numbers` recorded it: its folder, file, bytes and new ISA13 and GS06)."""
    data = path.read_bytes()
    [ic] = read_sent(data, file=path.name)
    owner = owner or pid  # (whose document it copies: [continues], _owner)
    [doc] = state.document_heads(owner, file_name=first)[:1]
    # (its folder in the partner's drop; a copy of one put in the VAN's folder: that drop's "outbox")
    folder = path.parent.relative_to(ws.drop_root / pid).as_posix() \
        if path.is_relative_to(ws.drop_root / pid) else "outbox"
    state.record_found_resend(owner, doc["id"], doc_type=doc["doc_type"], folder=folder, file_name=path.name,
                              isa13=ic.isa13, gs06=ic.sets[0].gs06 if ic.sets else "", content=data,
                              at=_sent_at(data, at),
                              run_id=run_id)


def _csv_answers(name: str, data: bytes, profile: PartnerProfile) -> list[tuple[str, lifecycle.SentAnswer]]:
    """A CSV acknowledgment's orders (engine.csv_ack, in the partner's layout), each as the 855 it stands for:
    its rows' statuses and quantities as ACKs (engine.finance_inputs.csv_parts), BAK02 as the night said
    it (engine.po_ack.ack_type), a back-ordered row's promised date as its IB's. It carries no date of its own: it
    never answers an 860 (a revision gets none). An order whose
    every row is held (engine.csv_ack.HELD_STATUS: told held for a person the night it came) is not answered by it:
    left out, it is decided again as the order it is."""
    rows: dict[str, list[dict]] = defaultdict(list)
    for r in read_csv_ack(data, profile.fulfilment.csv_ack or CsvAckSettings()):
        rows[str(r["po_number"])].append(r)
    out = []
    for n, (po, mine) in enumerate(rows.items(), 1):
        if all(r["status"] == HELD_STATUS for r in mine):
            continue
        lines = tuple((str(r["line_id"] or r["line_number"]), r["quantity_ordered"], tuple(csv_parts(r)))
                      for r in mine)
        codes = [code for _, _, acks in lines for code, _ in acks]
        prices = tuple((line_id, r["unit_price"]) for (line_id, _, _), r in zip(lines, mine, strict=True))
        # a back-ordered row's promised date: the date its IB promised (an 855's ACK05)
        promised = tuple((line_id, r["promised_date"].strftime("%Y%m%d")) for (line_id, _, acks), r in
                         zip(lines, mine, strict=True) if r.get("promised_date") and any(c == "IB" for c, _ in acks))
        out.append((po, lifecycle.SentAnswer("CSV", f"sent:{name}:{n}", name, "", "00", ack_type(codes), lines,
                                             prices, promised=promised)))
    return out


def _status_answer(s, key: str, name: str, day: str) -> lifecycle.SentAnswer:
    """An 870 Order Status Report (engine.order_status) as the original 855 it was sent for: its lines' ISRs as the
    ACKs they were written for (engine.order_status.as_acks), BAK02 as the night said it (engine.po_ack.ack_type)."""
    lines = tuple((line_id, qty, as_acks(qty, isrs)) for line_id, qty, isrs in s.lines)
    return lifecycle.SentAnswer("870", key, name, day, "00", ack_type([c for _, _, acks in lines for c, _ in acks]),
                                lines, s.prices, s.units)


def _record_fulfilment(state: StateStore, pid: str, name: str, data: bytes, *, at: str,
                       pos: dict[str, set[str]] | None = None) -> int:
    """An outbox file's 856 and 810 lines as recorded lines (flows.reconcile.record_documents' table); the POs
    they name added to ``pos`` (set id -> POs)."""
    lines, _findings = read_sent_lines(read_interchanges(data, file=name), partner=pid,
                                       sha256=hashlib.sha256(data).hexdigest())
    if pos is not None:
        for kind, po in zip(lines["doc_type"].to_pylist(), lines["po_number"].to_pylist(), strict=True):
            if po:
                pos[kind].add(po)
    return state.record_sent_lines(lines, by="state rebuild", at=datetime.fromisoformat(at),
                                   note="our own 856/810, found in the outbox when the store was rebuilt")


def _sent_files(ws: Workspace, pid: str, profile: PartnerProfile) -> list[Path]:
    """The files we sent in the partner's local outbox and its [delivery] folders (subfolders of outbox/), and the
    copies kept of those put in the VAN mailbox's outbound folder for it ([delivery] via = "mailbox", now or before
    a switch: flows.mailbox.sent_copies), by name."""
    from flows.mailbox import sent_copies

    files = []
    folders = [ws.drop_root / pid / "outbox" / sub for sub in profile.delivery.sent_folders()]
    for folder in [*folders, sent_copies(ws, pid)]:
        files += [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")] if folder.is_dir() else []
    return sorted(files, key=lambda p: p.name)


def _csv_ack_name(pid: str, profile: PartnerProfile) -> re.Pattern[str]:
    """The names the partner's CSV acknowledgments are written under (their group ``number``: the ack's own)."""
    return NamePattern.of(profile.delivery.pattern(CSV_ACK) or DEFAULT_CSV).matcher(partner=pid, doc_type="CSV")


def _company_numbers(ws: Workspace, profiles: dict[str, PartnerProfile]) -> dict[str, int]:
    """The highest company-wide numbers our outboxes' 856s and 810s used: SSCC serial references per
    GS1 company prefix ("SSCC:<prefix>", engine.sscc.serial_of) and invoice numbers ("INVOICE": BIG02
    less the partner's number prefix)."""
    top: dict[str, int] = {}
    for pid, profile in sorted(profiles.items()):
        sscc, prefix = profile.fulfilment.sscc, profile.fulfilment.invoice.number_prefix
        csv_name = _csv_ack_name(pid, profile)
        for path in _sent_files(ws, pid, profile):
            if csv_name.fullmatch(path.name):
                continue
            for ic in read_sent(path.read_bytes(), file=path.name):
                for s in ic.sets:
                    for code in s.ssccs if sscc is not None else ():
                        serial = serial_of(code, sscc.company_prefix)
                        if serial is not None:
                            key = f"SSCC:{sscc.company_prefix}"
                            top[key] = max(top.get(key, 0), serial)
                    number = s.invoice_number
                    if number.startswith(prefix) and number[len(prefix):].isdigit():
                        top["INVOICE"] = max(top.get("INVOICE", 0), int(number[len(prefix):]))
    return top


def _sent_at(data: bytes, at: str) -> str:
    """When an outbox file was sent, as the night recorded it (its run's clock, which the envelope is dated with:
    ISA09 YYMMDD, ISA10 HHMM), ISO; ``at`` (the rebuild's time) when the envelope says none, or a time after it. A
    document's sent time is what the partner's 997 window runs from: dated the rebuild's, a Globex 855 two nights
    overdue read as pending (flows.reconcile's document status)."""
    isa = data[:ISA_LENGTH].split(data[3:4]) if data[:3] == b"ISA" and len(data) > 3 else []
    if len(isa) < 11:
        return at
    day, clock = isa[9].strip().decode("ascii", "replace"), isa[10].strip().decode("ascii", "replace")
    try:
        sent = datetime.strptime(day + clock, "%y%m%d%H%M")
    except ValueError:
        return at
    return sent.isoformat() if sent.isoformat() <= at else at


def _top(top: dict[str, int], kind: str, number: str) -> None:
    if number and number.strip().isdigit():
        top[kind] = max(top.get(kind, 0), int(number))


# --- 2. what was received ---------------------------------------------------------------------------------
Taken = tuple[str, str, frozenset[str], frozenset[str]]  # a replayed file: day (CCYYMMDD), sha256, ISA13s, GS06s


def _replay_archive(ws: Workspace, state: StateStore, profiles: dict[str, PartnerProfile], out: Rebuilt, *,
                    run_id: str, only: set[str] | None = None, skip: set[str] = frozenset(),
                    answered: list[Answered] | None = None) -> dict[str, list[Taken]]:
    """Replay the archive (``only``: those partners'; not ``skip``'s); per partner, the files replayed (oldest
    first), for the 997s and TA1s to find. The files holding the partner's acknowledgments of our documents (997,
    999, TA1, 824) are added to ``answered``, for _partner_answers to record once the outbox's documents are."""
    store = OrderStore(ws.orders_dir)
    clocks = _run_clocks(ws)
    taken: dict[str, list[Taken]] = defaultdict(list)
    for pid, profile in sorted(profiles.items()):
        if (only is not None and pid not in only) or pid in skip:
            continue
        drop = ws.drop_root / pid
        waiting = {p.name for p in (drop / "inbox").iterdir()} if (drop / "inbox").is_dir() else set()
        for path in _archived(drop / "archive"):
            day, _, name = ARCHIVED.match(path.name).groups()
            data = path.read_bytes()
            sha = hashlib.sha256(data).hexdigest()
            if state.file_record(pid, sha) is not None or name in waiting:
                continue  # known already, or back in the inbox: the next run takes it in as new
            at = _taken_at(day, name, clocks)
            *seen, outcome = _replay(ws, state, store, profile, name, data, sha, path.name, at, run_id=run_id,
                                     out=out)
            taken[pid].append((day, sha, *seen))
            if answered is not None and (outcome.functional_acks.num_rows or outcome.advice.num_rows):
                answered.append((at, profile, outcome))
            out.files += 1
    out.orders = len(state.orders())
    if out.remittances and only is None:
        out.notes.append(f"the 820 remittances and 812 adjustments of {out.remittances:,} archived file(s) are read "
                         "again into state/remittance/ for the reconciliation and `status`; their sets are not handed "
                         "off again (handoff/ is written once: the ERP may have taken them)")
    return taken


def _run_clocks(ws: Workspace) -> dict[str, list[tuple[datetime, frozenset[str]]]]:
    """Per day (CCYYMMDD), the run clocks of the runs in reports/ (summary.json) and the files their
    findings name (failures.parquet): when a file archived that day was taken in."""
    out: dict[str, list[tuple[datetime, frozenset[str]]]] = defaultdict(list)
    for summary in sorted(ws.reports_dir.glob("*/summary.json")):
        try:
            clock = datetime.fromisoformat(json.loads(summary.read_text())["run"]["clock"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        failures = summary.with_name("failures.parquet")
        found = pq.read_table(failures) if failures.is_file() else None
        named = frozenset(found.column("file").to_pylist()) if found is not None and "file" in found.column_names \
            else frozenset()
        out[f"{clock:%Y%m%d}"].append((clock, named))
    return out


def _taken_at(day: str, name: str, clocks: dict[str, list[tuple[datetime, frozenset[str]]]]) -> datetime:
    """When the run took the file archived on ``day`` in (the run clock its records were stamped with): the
    clock of that day's run whose findings name it, else of the day's only run; else the day (midnight)."""
    runs = clocks.get(day, [])
    named = [c for c, files in runs if name in files]
    if len(named) == 1 or len(runs) == 1:
        return (named or [runs[0][0]])[0]
    return datetime.strptime(day, "%Y%m%d")


def _link_acks(state: StateStore, acks: list[tuple[str, str, str, str, str]],
               taken: dict[str, list[Taken]]) -> None:
    """Each 997 (AK102) and TA1 (TA101) of the outboxes tied to the replayed file it answers: the latest
    file of its partner taken in on or before the day it was sent that holds that group or interchange."""
    for pid, key, sent, isa13, gs06 in acks:
        match = [sha for day, sha, isa13s, gs06s in taken.get(pid, ())
                 if day <= sent and (isa13 in isa13s if isa13 else gs06 in gs06s)]
        if (isa13 or gs06) and match:
            state.link_sent_answer(pid, key, match[-1])


Answered = tuple[datetime, PartnerProfile, object]  # a replayed file of acknowledgments: when taken in, whose, read


def _partner_answers(state: StateStore, profiles: dict[str, PartnerProfile], answered: list[Answered], *,
                     run_id: str) -> None:
    """The partners' 997/999s and TA1s, and their 824s' OTIs, of the replayed files (``answered``) recorded as
    intake records them (StateStore.record_partner_acks), in the order they were taken in, once the outbox's
    documents they answer are recorded: an 824's OTIs matched to what we sent (flows.intake._advice), and a
    partner carrying on another's orders ([continues]) giving the answers to the other's documents sent under its
    envelope to the other (flows.intake._acks_of). So the reconciliation and `status` of a rebuilt store find
    each document accepted or rejected by the partner, and what is overdue, as the live store did. Their findings
    (FA_DOCUMENT_REJECTED ...) are not told again: they are in the nights' reports, as every replayed file's."""
    from flows.intake import _acks_of, _advice

    for at, profile, outcome in sorted(answered, key=lambda a: a[0]):
        profile = profiles.get(profile.id, profile)
        outcome, _found = _advice(state, profile, outcome, day=at.date())
        acks, theirs = outcome.functional_acks, None
        other = profile.continuing(at.date())
        if other is not None and acks.num_rows:
            acks, theirs = _acks_of(state, acks, other, profile.continues.effective)
        with state.transaction():
            state.record_partner_acks(acks, run_id=run_id)
            if theirs is not None and theirs.num_rows:
                state.record_partner_acks(theirs, run_id=run_id)


def _document_verdicts(ws: Workspace, state: StateStore, profiles: dict[str, PartnerProfile], *, run_id: str) -> None:
    """Each document's verdict (accepted, rejected, overdue, pending: engine.partner_acks.match_acks, as the night's
    reconciliation records it in document_acks) as of the last night the files tell of: the clock of the newest run
    in reports/, else the newest document sent; so `status` of the rebuilt store names each partner's answer before
    the next run (which records them again as of its own clock). Nothing when no document was sent."""
    from engine.partner_acks import match_acks
    from flows.reconcile import load_inputs, settings_of

    inputs = load_inputs(ws, state, profiles)
    if not inputs.sent.num_rows:
        return
    clocks = [c for runs in _run_clocks(ws).values() for c, _ in runs]
    as_of = max(clocks) if clocks else pc.max(inputs.sent["sent_at"]).as_py()
    docs, _ = match_acks(inputs.sent, inputs.acks, settings=settings_of(profiles), as_of=as_of)
    state.record_document_status(docs, as_of=as_of, run_id=run_id)


def _archived(folder: Path) -> list[Path]:
    """Archived files, oldest first (the name's day, then when the copy was written, then the name)."""
    files = [p for p in folder.iterdir() if p.is_file() and ARCHIVED.match(p.name)] if folder.is_dir() else []
    return sorted(files, key=lambda p: (p.name[:8], p.stat().st_mtime_ns, p.name))


def _replay(ws: Workspace, state: StateStore, store: OrderStore, profile: PartnerProfile, name: str, data: bytes,
            sha: str, archived: str, day: datetime, *, run_id: str, out: Rebuilt | None = None
            ) -> tuple[frozenset[str], frozenset[str], object]:
    """Replay one archived file as intake took it in ``day`` (its run's clock); its ISA13s and GS06s, and the file
    as read (engine.process's outcome: its partner's acknowledgments are recorded by _partner_answers). The 820s' and
    812s' rows of its kept sets are kept again (flows.handoff.keep_remittance, received at ``day`` as intake kept
    them) unless state/remittance holds the file's already; counted in ``out``."""
    at = day.isoformat()
    if profile.is_csv_file(name):  # a CSV order file, read as intake read it
        outcome = process_csv_file(data, file=name, sha256=sha, profile=profile)
    else:
        from connectors.reference import agreed_currency

        parsed = read_interchanges(data, file=name)  # read once; the store asked about this file's envelopes alone
        outcome = process_file(data, file=name, sha256=sha, profile=profile,
                               known=known_for(state, profile.id, parsed), today=day.date(), parsed=parsed,
                               received_at=day, agreed_currency=agreed_currency(ws.reference_dir, profile.id))
    # lines taken in as intake takes them (by weight, a size run a line per size, priced per a measure of their
    # item's unit or per another unit in a CTP05: flows.intake.as_taken)
    outcome = as_taken(outcome, ws.reference_dir, catch_weight=profile.rules.catch_weight)
    outcome, _ambiguous = key_releases(state, store, profile.id, outcome,
                                       ref=profile.order_key_column)  # releases keyed as intake keyed them
    # an 860 for an order of the partner this one carries on ([continues]) is that one's, as intake routes it
    outcome, carried, continued = _continued(state, profile, outcome, day=day.date())
    named = {(profile.id, po) for po in outcome.orders["po_number"].to_pylist()
             + outcome.change_headers["po_number"].to_pylist()}
    live = state.orders_for(named)
    lines = state.lines_for(live)
    plan = lifecycle.plan_intake(outcome, partner=profile.id, live={po: r for (_, po), r in live.items()},
                                 lines={po: ln for (_, po), ln in lines.items()}, at=at, run_id=run_id,
                                 resent_replaces=profile.resent_po == "replace",
                                 buyers=profile.buyer_gs_ids, csv_layout=profile.fulfilment.csv_orders)
    if carried is not None:
        held = state.orders_for({(continued, po) for po in carried.change_headers["po_number"].to_pylist()})
        plan += lifecycle.plan_continued_changes(carried, partner=continued, at=at, run_id=run_id, by=profile.id,
                                                 live={po: r for (_, po), r in held.items()})
    plan = replace(plan, documents=(), findings=())  # its 997/TA1 are in the outbox; its findings in old reports
    if outcome.remittance.num_rows and not handoff.remittance_kept(ws.root, profile.id, sha):
        r = outcome.remittance
        r = r.set_column(r.schema.get_field_index("received_at"), r.schema.field("received_at"),
                         pa.repeat(pa.scalar(day, r.schema.field("received_at").type), r.num_rows))
        handoff.keep_remittance(ws.root, profile.id, sha, r)
        if out is not None:
            out.remittances += 1
    status = "quarantined" if outcome.disposition == "quarantine" else "processed"
    with state.transaction():
        if outcome.orders.num_rows:
            store.save(profile.id, sha, outcome.orders, outcome.lines, sacs=outcome.sacs)
        if outcome.change_headers.num_rows:
            store.save_changes(profile.id, sha, outcome.change_headers, outcome.changes,
                               sacs=_placed_sacs(store, profile.id, sha, outcome.change_sacs))
        if carried is not None and carried.change_headers.num_rows:
            store.save_changes(continued, sha, carried.change_headers, carried.changes,
                               sacs=_placed_sacs(store, continued, sha, carried.change_sacs))
        state.apply(plan, at=at, run_id=run_id)
        for sender, isa13 in outcome.interchanges_seen:
            state.record_interchange(profile.id, sender, isa13, sha)
        for key in outcome.groups_seen:  # as intake records them (a record only: GS_DUPLICATE is per interchange)
            state.record_group(profile.id, key, sha)
        state.record_file(profile.id, sha, name, len(data), at, status, archive_path=archived, run_id=run_id,
                          error_count=outcome.error_count)
        state.mark_disposed(profile.id, sha, at)
    return (frozenset(isa13 for _sender, isa13 in outcome.interchanges_seen),
            frozenset(k[3] for k in outcome.groups_seen), outcome)


def _placed_sacs(store: OrderStore, partner: str, sha: str, sacs: pa.Table) -> pa.Table:
    """The change file's SACs as read again, those of its POC loops sent without POC01 (an 876's G68 loops) placed
    as the nights placed them when its change was applied (engine.changes.sacs_placed_as, from the file's stored
    CHANGE_SACS): the rebuild does not apply changes again, and they used to be left on no line. A file stored
    without SACs, or unreadable: as read."""
    if not sacs.num_rows or sha not in store.sac_keys(partner, "change-sacs"):
        return sacs
    try:
        placed = store.load_change_sacs(partner, sha)
    except StateError:
        return sacs
    return sacs_placed_as(sacs, placed)


# --- 3. what the answers said ----------------------------------------------------------------------------
def _restore_answers(ws: Workspace, state: StateStore, answers: dict, out: Rebuilt, *, at: str, run_id: str) -> None:
    if not answers:
        return
    later = state.release_orders()
    answers = _ref_answers(_by_order(answers, {r.key for r in later}), later)
    keys = list(answers)
    records = state.orders_for(keys)
    store = OrderStore(ws.orders_dir)
    changes: dict[tuple[str, str], list] = defaultdict(list)
    for c in sorted(state.pending_changes(statuses=None, keys=keys), key=lambda c: c.id):
        changes[(c.partner, c.po_number)].append(c)
    allocation = _allocations(ws, set(keys))
    out.reported |= set(allocation)
    evidence, newest = {}, {}
    for key in keys:
        mine = changes.get(key, [])
        record = records.get(key)
        revisions = [f"{c.store_key}-{c.change_ref}" for c in mine
                     if (ws.orders_dir / key[0] / f"{c.store_key}-{c.change_ref}.lines.parquet").is_file()]
        rows: tuple[dict, ...] = ()
        if revisions and record is not None:
            newest[key] = revisions[-1]
            _, lines = store.load(key[0], revisions[-1])
            named = [c for c in ("product_ids", *ITEM_COLUMNS) if c in lines.column_names]  # what an 865 names
            rows = tuple(r for r in lines.select(["order_ref", "line_number", "line_id", "quantity", "unit",
                                                  "unit_price", *named]).to_pylist()
                         if r["order_ref"] == record.order_ref)
        cancelling, sets = _cancelling(store, mine)
        evidence[key] = lifecycle.Evidence(
            answers=tuple(answers[key]), changes=tuple(mine), cancelling=cancelling, sets=sets,
            revision_keys=frozenset(revisions), revision_rows=rows, allocation=tuple(allocation.get(key, ())))
    stock = _stock_without_reports(ws, store, records, state.lines_for(keys), evidence, newest)
    evidence = {k: replace(e, stock=stock[k]) if k in stock else e for k, e in evidence.items()}
    plan = lifecycle.plan_restored(records, state.lines_for(keys), evidence, at=at, run_id=run_id)
    state.apply(plan, at=at, run_id=run_id)
    out.answered = len({t.record.key for t in plan.transitions})
    out.reservations = sum(len(r.rows) for r in plan.reservations)
    out.notes += _unreported_notes(plan, stock)
    missing = [k for k in keys if k not in records  # a CSV refusal answers rows intake did not take
               and any(a.doc_type != "CSV" for a in answers[k])]
    if missing:
        # (a grocer's: its 876 for a PO whose 875 we never held)
        grocer = [bool(evidence[k].sets) and len(evidence[k].sets) == len(evidence[k].changes) for k in missing]
        order, change = ("875", "876") if all(grocer) else ("850 or 875", "860 or 876") if any(grocer) else (
            "850", "860")
        out.notes.append(f"{len(missing)} PO(s) answered in the outbox have no {order} in the archive (an {change} "
                         "for an unknown PO, or an archive cleaned up): " + ", ".join(f"{p}/{po}" for p, po in
                                                                                     missing[:5]))


def _stock_without_reports(ws: Workspace, store: OrderStore, records: dict, lines: dict, evidence: dict,
                           newest: dict[tuple[str, str], str]) -> dict[tuple[str, str], dict[int, LineStock]]:
    """For each answered order with live lines no run report in reports/ holds (the folder cleaned up by a retention
    job, or never kept), each such line's stock as the files still tell it (LineStock): its SKU resolved
    from its stored product ids by the reference data as the rules resolve an 850's line, the stock units in one of
    its unit, and the warehouses whose snapshot of the answer's day (the one that night read: flows.decide
    .load_inventory) held free units of it, in its partner's order of preference (none for a service item, which
    no stock holds), each with the units free that day (lifecycle.plan_restored has the orders take them in their
    arrival order). Nothing when every line has its report."""
    from connectors.reference import load_reference
    from flows.decide import rule_settings
    from rules.shipment_units import ShipmentUnits
    from schemas.reference import service_skus

    wanted = {key: numbers for key, ev in evidence.items() if key in records
              and (numbers := lines_unreported(lines.get(key, ()), ev))}
    if not wanted:
        return {}
    profiles = ws.partners()
    try:
        ref = load_reference(ws.reference_dir)
    except Exception:  # noqa: BLE001 - no reference data: no SKU is known, the notes name every line
        return {key: {} for key in wanted}
    units = ShipmentUnits(ref.items, ref.item_units, rule_settings(profiles), ref.partner_items)
    services = service_skus(ref.items)
    snapshots: dict[str, dict[tuple[str, str], int]] = {}
    out: dict[tuple[str, str], dict[int, LineStock]] = {}
    for key, numbers in sorted(wanted.items()):
        record, ev = records[key], evidence[key]
        # the newest revision's lines, then the order's own (a line a change deleted: its SKU all the same)
        tables = []
        for lines_key in dict.fromkeys(k for k in (newest.get(key), record.lines_key) if k):
            try:
                _, t = lifecycle.current_tables([replace(record, lines_key=lines_key)],
                                                {(key[0], lines_key): store.load(key[0], lines_key)})
            except StateError:
                continue
            seen = {n for part in tables for n in part["line_number"].to_pylist()}
            tables.append(t.filter(pa.array([n in numbers and n not in seen for n in t["line_number"].to_pylist()])))
        if not tables:
            out[key] = {}
            continue
        table = pa.concat_tables(tables, promote_options="permissive")
        skus = units.resolve(table)
        # the day the night that answered it ran (a CSV acknowledgment carries none: the day the order came)
        day = max((a.date for a in ev.answers if a.doc_type in ANSWERS and a.date), default="") or \
            record.received_at[:10].replace("-", "")
        free = snapshots.get(day)
        if free is None:
            free = snapshots[day] = _free_stock(ws, day)
        profile = profiles.get(key[0])
        order = profile.allocation.warehouse_preference if profile is not None else sorted
        mine = {}
        for row, sku in zip(table.select(["line_number", "unit"]).to_pylist(), skus, strict=True):
            held = () if not sku or sku in services else tuple(
                (w, free[(w, sku)]) for w in order(sorted({w for w, s in free if s == sku})) if free[(w, sku)] > 0)
            mine[row["line_number"]] = LineStock(sku or "", units.each(sku, row["unit"]) if sku else None, held,
                                                 stocked=sku not in services)
        out[key] = mine
    return out


def _free_stock(ws: Workspace, day: str) -> dict[tuple[str, str], int]:
    """(warehouse, sku) -> the units free (on hand less reserved, never below 0) in the stock snapshot a night of
    ``day`` (CCYYMMDD) read; none when no snapshot is on or before it."""
    from flows.decide import load_inventory

    try:
        snapshot = load_inventory(ws, date(int(day[:4]), int(day[4:6]), int(day[6:8]))).snapshot
    except Exception:  # noqa: BLE001 - no snapshot (or none readable) that day: no stock is known
        return {}
    return {(r["warehouse"], r["sku"]): max(int(r["on_hand"] or 0) - int(r["reserved"] or 0), 0)
            for r in snapshot.select(["warehouse", "sku", "on_hand", "reserved"]).to_pylist()}


def _unreported_notes(plan, stock: dict[tuple[str, str], dict[int, LineStock]]) -> list[str]:
    """What the rebuild says of the orders whose lines no run report held (_stock_without_reports): how they were
    reserved; those reserved in a warehouse the night may not have used (more than one held the item); those whose
    accepted units it could not reserve: each order named with its lines, and what to do."""
    if not stock:
        return []
    unsure = stock_unsure(plan, stock)
    chosen = [f"{p}/{po} line(s) {', '.join(map(str, lines))}" for (p, po), lines, _ in unsure if lines]
    unplaced = [f"{p}/{po} line(s) {', '.join(map(str, lines))}" for (p, po), _, lines in unsure if lines]
    notes = [f"{len(stock)} answered order(s) have lines no run report in reports/ holds (the folder cleaned up, or "
             "never kept): their allocation and reservations were made again from their last 855 and the 865s after "
             "it (the units it accepted, back-ordered and refused, the item resolved from the reference data, "
             "reserved in a warehouse whose stock snapshot of the answer's day held it; docs/state-store.md, "
             "Recovery)"]
    if chosen:
        notes.append("reserved in the partner's first warehouse that held the stock, more than one holding it, not "
                     "necessarily the one the night chose: " + "; ".join(chosen) + ". They ship as answered (a line's "
                     "reservations are consumed whichever warehouse ships it), but until they ship each warehouse's "
                     "free stock of those items may be off by them: check `orderbridge status` of each before the "
                     "next run")
    if unplaced:
        notes.append("nothing reserved for units the answer accepted (the item not found in the reference data, no "
                     "stock snapshot holding it, or its unit converting to no stock unit): " + "; ".join(unplaced)
                     + ". A warehouse's confirmation of them will be held as SHIPMENT_OVER_RESERVED: settle the "
                     "item or the stock with the buyer before they ship (docs/state-store.md, Recovery)")
    return notes


def _ref_answers(answers: dict, later) -> dict:
    """The answers found under a PO number (BAK03) that no order is keyed by while orders told apart by a
    reference are held under it (schemas.order_keys.ref_key: their 855 names BEG03 alone): its original
    855s (BAK01 00) one to each of those orders, in the orders' arrival order (the order intake answered
    them in), when there are as many; anything else stays under the PO number (noted as unplaced)."""
    by_po: dict = defaultdict(list)
    for r in sorted((r for r in later if is_ref_key(r.po_number)), key=lambda r: r.arrival):
        by_po[(r.partner, x12_po(r.po_number))].append(r.key)
    if not by_po:
        return answers
    out = dict(answers)
    for key, orders in by_po.items():
        group = out.get(key, [])
        firsts = [a for a in group if a.doc_type == "855" and a.purpose == "00"]
        if not firsts or len(firsts) != len(orders) or any(o in out for o in orders):
            continue
        rest = [a for a in group if a not in firsts]
        out.update(zip(orders, ([a] for a in firsts), strict=True))
        if rest:
            out[key] = rest
        else:
            del out[key]
    return out


def _by_order(answers: dict, release_keyed: set[tuple[str, str]]) -> dict:
    """The answers found per (partner, PO or release key) regrouped by order: a release key that no order
    holds (the first release of a PO is keyed by the PO number) joins its PO's answers, in the order
    they were found."""
    if not any(SEP in po for _p, po in answers):
        return answers
    seen = {id(a): k for k, a in enumerate(a for group in answers.values() for a in group)}
    out: dict = defaultdict(list)
    for (pid, po), group in answers.items():
        out[(pid, po) if SEP not in po or (pid, po) in release_keyed else (pid, x12_po(po))].extend(group)
    return {k: sorted(v, key=lambda a: seen[id(a)]) for k, v in out.items()}


def _cancelling(store: OrderStore, changes: list) -> tuple[frozenset[int], dict[int, str]]:
    """The ids of the 860s that cancel their order (BCH01 01 or 17), and the set each change came as where it is
    not an 860 (CHANGE_HEADERS set_id: "876" for a grocer's), from their stored change tables."""
    out, sets = set(), {}
    for c in changes:
        try:
            headers, _ = store.load_changes(c.partner, c.store_key)
        except StateError:
            continue
        columns = ["change_ref", "purpose", *(["set_id"] if "set_id" in headers.column_names else [])]
        for h in headers.select(columns).to_pylist():
            if h["change_ref"] != c.change_ref:
                continue
            if h["purpose"] in CANCEL_PURPOSES:
                out.add(c.id)
            if h.get("set_id") and h["set_id"] != "860":
                sets[c.id] = h["set_id"]
    return frozenset(out), sets


def _allocations(ws: Workspace, keys: set[tuple[str, str]]) -> dict[tuple[str, str], list[dict]]:
    """Each order line's allocation rows (line_number, warehouse, sku, allocated, backordered, rejected,
    promised_date) from the newest report of reports/ that holds the line (a run that re-decided an
    860's lines reported those lines only): its allocation.parquet (the lines as the run left them)
    split per warehouse by its reservations.parquet; a report written before those existed holds the
    allocation's own rows (a `warehouse` column)."""
    found: dict[tuple[str, str, int], list[dict]] = {}
    for table in sorted(ws.reports_dir.glob("*/allocation.parquet"), reverse=True):
        rows: dict[tuple[str, str, int], list[dict]] = defaultdict(list)
        for r in _allocation_rows(table):
            line = (r["partner"], r["po_number"], r["line_number"])
            if line[:2] in keys and line not in found:
                rows[line].append(r)
        found.update(rows)
    out: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for (partner, po, _), rows in sorted(found.items()):
        out[(partner, po)].extend(rows)
    return out


def _in_order_units(allocated: int | None, places: list[dict]) -> list[int]:
    """A line's units allocated (in the order's unit: 12 PK) split over its warehouses' reservations (in the stock's:
    120 EA), in proportion, the remainder to the last: each warehouse's share of the line in the order's unit."""
    total = sum(int(p["quantity"] or 0) for p in places)
    if not allocated or not total:
        return [int(p["quantity"] or 0) for p in places]
    shares = [int(p["quantity"] or 0) * int(allocated) // total for p in places]
    if shares:
        shares[-1] += int(allocated) - sum(shares)
    return shares


def _allocation_rows(table: Path) -> list[dict]:
    lines = pq.read_table(table)
    if "warehouse" in lines.column_names:  # the allocation's rows themselves
        return lines.to_pylist()
    split: dict[tuple[str, str, int], list[dict]] = defaultdict(list)
    reserved = table.with_name("reservations.parquet")
    if reserved.is_file():
        for r in pq.read_table(reserved).to_pylist():
            split[(r["partner"], r["po_number"], r["line_number"])].append(r)
    out = []
    for ln in lines.to_pylist():
        key = (ln["partner"], ln["po_number"], ln["line_number"])
        base = {"partner": key[0], "po_number": key[1], "line_number": key[2], "sku": ln["sku"],
                "promised_date": date.fromisoformat(ln["promised_date"]) if ln["promised_date"] else None}
        one = ln["allocated"] and "," not in (ln["warehouses"] or "")
        if key not in split and one and reserved.is_file():
            # the night's reservations are written after its shipments: a line allocated that none holds shipped
            # them all (its allocation cumulative, nothing of it reserved any more)
            out.append(base | {"warehouse": ln["warehouses"], "allocated": ln["allocated"], "reserved": 0,
                               "backordered": 0, "rejected": 0})
            places = []
        else:
            places = split.get(key) or ([{"warehouse": ln["warehouses"], "quantity": ln["allocated"]}] if one else [])
        out += [base | {"warehouse": p["warehouse"], "allocated": units, "reserved": p["quantity"], "backordered": 0,
                        "rejected": 0} for p, units in zip(places, _in_order_units(ln["allocated"], places),
                                                           strict=True)]
        out.append(base | {"warehouse": "", "allocated": 0, "backordered": ln["backordered"] or 0,
                           "rejected": ln["rejected"] or 0})
    return out


def rebuild(ws: Workspace, *, at: datetime | None = None) -> Rebuilt:
    """A new state store from the workspace's files; refuses when the store holds history (restore or
    keep it instead). The caller holds the workspace lease."""
    from flows.recovery import store_contents

    if store_contents(ws) == "history":
        raise StateError("the state store holds history; rebuild only replaces a missing or empty one (move it "
                         "away first if it is wrong)", path=str(ws.state_path))
    replaced = 0
    if not ws.state_on_postgres:  # an empty file or schema-only store: start from a new file
        from connectors.state_files import write_version_of

        replaced = write_version_of(ws.state_path)  # the new store's write version goes past it
        for p in ws.state_path.parent.glob(ws.state_path.name + "*"):
            p.unlink()
    at = at or datetime.now().replace(microsecond=0)
    state = StateStore(ws.state_url)
    try:
        state.raise_write_version(replaced)
        run_id = f"rebuild-{at:%Y%m%dT%H%M%S}"
        state.start_run(run_id, at.isoformat(), kind="rebuild", clock=at.isoformat())
        done = catch_up(ws, state, at=at, run_id=run_id)
        state.finish_run(run_id, at.isoformat(), {"documents": done.documents, "files": done.files,
                                                  "orders": done.orders, "answered": done.answered,
                                                  "numbers": done.numbers, "notes": done.notes})
        return done
    finally:
        state.close()
