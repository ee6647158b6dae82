"""The decide stage's last step: from the rules' decisions and the allocation to each order's final
answer. A held order waits for a person; an accepted or rejected one gets its line states, its
reservations, and the documents that answer that final decision: the 855 (BAK01 05 for an order
answered before) and, for 860s applied since the last answer, the 865 built from the re-decided
lines (a changed line the rules reject is IR in the 865, never first IA and then contradicted).

Pure: typed records and stored lines, the run's canonical rows, decisions and allocation in; a Plan out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pyarrow as pa

from engine.answer import LineStatus, line_state, line_statuses, order_value, status_from_line, tells_something_new
from engine.changes import DELETED, ChangeResult
from engine.changes import REJECTED as POC_REJECTED
from engine.csv_ack import build_csv_ack
from engine.decide import PENDING, REJECTED, OrderDecision, owners
from engine.lifecycle.changes import AppliedChange
from engine.lifecycle.common import isolated, transaction_set
from engine.lifecycle.table import move
from engine.po_ack import _num, build_855
from engine.po_change_ack import build_865, change_ack_type
from schemas.findings import Finding
from schemas.fulfilment import CsvAckSettings
from schemas.lifecycle import (
    ChangeUpdate,
    EventKind,
    FindingRecord,
    LineRecord,
    LineState,
    OrderLines,
    OrderRecord,
    OrderReservations,
    Plan,
    PlannedDocument,
    PlannedSet,
    Reservation,
)
from schemas.profile import PartnerProfile

Key = tuple[str, str]
GONE = (LineState.DELETED, LineState.CANCELLED)


def plan_decisions(records: Mapping[Key, OrderRecord], decisions: Sequence[OrderDecision], *, orders: pa.Table,
                   lines: pa.Table, allocation: pa.Table | None, stored_lines: Mapping[Key, tuple[LineRecord, ...]],
                   reservations: Mapping[Key, tuple[Reservation, ...]],
                   applied: Mapping[Key, list[AppliedChange]], profiles: Mapping[str, PartnerProfile],
                   today: date, at: str, run_id: str,
                   told_lines: Mapping[Key, tuple[LineRecord, ...]] | None = None) -> Plan:
    """One plan for every decision, in the decisions' order (which numbers the 855s). ``lines`` are the
    item-resolved lines the rules saw; ``allocation`` the allocation's line rows; ``stored_lines`` and
    ``reservations`` what the order holds now (after this run's 860s); ``told_lines`` the lines as
    they were before this run's 860s (what the partner was last told), default ``stored_lines``."""
    told_lines = stored_lines if told_lines is None else told_lines
    order_rows = {(o["partner"], o["po_number"]): o for o in orders.to_pylist()}
    line_rows: dict[Key, list[dict]] = defaultdict(list)
    for r in lines.to_pylist():
        line_rows[(r["partner"], r["po_number"])].append(r)
    allocated: dict[str, list[dict]] = defaultdict(list)
    for r in (allocation.to_pylist() if allocation is not None else []):  # grouped once, not per order
        allocated[r["order_ref"]].append(r)
    parts = []
    for d in decisions:
        key = (d.partner, d.po_number)
        record = records[key]

        def conclude(d: OrderDecision = d, key: Key = key, record: OrderRecord = record) -> Plan:
            rows = sorted(line_rows.get(key, []), key=lambda r: r["line_number"])
            return _Conclusion(d, record, order_rows[key], rows, allocated.get(f"{d.partner}|{d.po_number}", []),
                               stored_lines.get(key, ()), reservations.get(key, ()), applied.get(key, []),
                               profiles[d.partner], today=today, at=at, run_id=run_id,
                               told=told_lines.get(key, stored_lines.get(key, ()))).plan()

        parts.append(isolated(record, conclude, at=at, run_id=run_id, stage="decide"))
    return Plan.combine(parts)


class _Conclusion:
    """One decided order: its statuses, documents, lines, reservations and transitions."""

    def __init__(self, d: OrderDecision, record: OrderRecord, order: dict, rows: list[dict], mine: list[dict],
                 stored: tuple[LineRecord, ...], reserved: tuple[Reservation, ...], applied: list[AppliedChange],
                 profile: PartnerProfile, *, today: date, at: str, run_id: str,
                 told: tuple[LineRecord, ...] = ()) -> None:
        self.d, self.record, self.order, self.rows, self.mine = d, record, order, rows, mine
        self.told = {ln.line_number: ln for ln in told if ln.state not in GONE}
        self.stored, self.reserved, self.applied, self.profile = stored, reserved, applied, profile
        self.today, self.at, self.run_id = today, at, run_id
        self.key = record.key

    def plan(self) -> Plan:
        d, record = self.d, self.record
        if d.status == PENDING:
            t = move(record, EventKind.HELD, at=self.at, run_id=self.run_id,
                     note="held: " + "; ".join(d.reasons)[:500], hold_codes=tuple(d.codes),
                     hold_reasons=tuple(d.reasons), codes=tuple(d.codes))
            return Plan(transitions=(t,))
        rejected = d.status == REJECTED
        statuses = self._statuses(rejected)
        # every line IR (e.g. nothing could be placed and the policy rejects the rest): the 855 says RD,
        # so the order is rejected, not acknowledged
        rejected = rejected or bool(statuses) and all(set(s.ack.statuses()) == {"IR"} for s in statuses)
        changed = set(record.changed_lines)
        surprise = record.is_revision and not rejected and any(
            tells_something_new(s, self.told.get(s.line_number)) for s in statuses if s.line_number in changed)
        docs, said = self._documents(statuses, rejected, surprise)
        ack_type = said[-1][1] if said else ""
        value = Decimal(order_value(statuses, self.rows, d)) if not rejected else Decimal(0)
        moves = []
        if not rejected and self.mine:
            units = [sum(int(r[c]) for r in self.mine) for c in ("allocated", "backordered", "rejected")]
            moves.append(move(record, EventKind.ALLOCATED, at=self.at, run_id=self.run_id,
                              note=f"{units[0]} units allocated, {units[1]} backordered, {units[2]} not placeable "
                                   f"on {len({r['line_number'] for r in self.mine})} line(s)"))
        note = "; ".join(f"{kind} {bak}" for kind, bak in said) or "nothing sent (the profile receives no answer)"
        if d.reasons:
            note += f"; {d.reasons[0]}"
        final = move(moves[-1].record if moves else record, EventKind.REJECTED if rejected else EventKind.ACKNOWLEDGED,
                     at=self.at, run_id=self.run_id, actor=d.decided_by or "system", note=note,
                     document_key=docs[0].sets[0].doc_key if docs else "", ack_type=ack_type,
                     answered_with="+".join(kind for kind, _ in said), answered_revision=record.revision,
                     codes=tuple(d.codes), changed_lines=(), value=value)
        moves.append(final)
        return Plan(transitions=tuple(moves), lines=(OrderLines(*self.key, self._lines(statuses)),),
                    reservations=(OrderReservations(*self.key, self._reservations(rejected)),), documents=docs,
                    change_updates=tuple(ChangeUpdate(a.change.id, "answered") for a in self.applied))

    # --- statuses -------------------------------------------------------------------------------------
    def _statuses(self, rejected: bool) -> list[LineStatus]:
        statuses = line_statuses(self.d, self.mine, requested_ship=self.order.get("requested_ship_date"),
                                 today=self.today)
        if not self.record.is_revision or rejected:
            return statuses
        # an order answered before: lines no 860 touched since keep what the partner was told
        kept = {ln.line_number: ln for ln in self.stored if ln.state not in GONE}
        changed = set(self.record.changed_lines)
        ship = max(self.order.get("requested_ship_date") or self.today, self.today)
        return [s if s.line_number in changed or s.line_number not in kept
                else status_from_line(kept[s.line_number], s.ordered, ship) for s in statuses]

    # --- documents ------------------------------------------------------------------------------------
    def _documents(self, statuses: list[LineStatus], rejected: bool,
                   surprise: bool) -> tuple[tuple[PlannedDocument, ...], list[tuple[str, str]]]:
        p, d, record = self.profile, self.d, self.record
        docs: list[PlannedDocument] = []
        said: list[tuple[str, str]] = []
        if "865" in p.receives and p.change_ack == "865":
            for a in self.applied:
                result = final_change_result(a.result, statuses, order_rejected=rejected)
                docs.append(transaction_set("865", "CA", a.doc_key, build_865(a.header, result, today=self.today),
                                            partner=d.partner, po_number=d.po_number,
                                            source_sha256=a.change.store_key))
                said.append(("865", change_ack_type(result)))
        if "855" in p.receives and (not record.is_revision or p.change_ack == "855" or surprise or rejected):
            body = build_855(self.order, self.rows, [s.ack for s in statuses], today=self.today,
                             purpose="05" if record.is_revision else "00")
            docs.append(transaction_set("855", "PR", f"855:{d.po_number}:{record.lines_key}:{d.order_ref}", body,
                                        partner=d.partner, po_number=d.po_number,
                                        source_sha256=self.order["source_sha256"] or ""))
            said.append(("855", body[0][2]))
        if "csv_ack" in p.receives and (not record.is_revision or rejected):
            docs.append(self._csv_ack(statuses))
            said.append(("CSV", build_855(self.order, self.rows, [s.ack for s in statuses], today=self.today)[0][2]))
        return tuple(docs), said

    def _csv_ack(self, statuses: list[LineStatus]) -> PlannedDocument:
        """The CSV acknowledgment of a CSV order partner (engine.csv_ack): the same line decisions the
        855 would carry, one row per line, in the partner's layout."""
        d = self.d
        content = build_csv_ack([(self.order, self.rows, [s.ack for s in statuses])],
                                self.profile.fulfilment.csv_ack or CsvAckSettings(),
                                reasons={(d.po_number, s.line_number): s.reason for s in statuses if s.reason})
        key = f"CSV:{d.po_number}:{self.record.lines_key}:{d.order_ref}"
        return PlannedDocument(d.partner, "CSV", "", (PlannedSet(key, (), d.po_number,
                                                                 self.order["source_sha256"] or ""),),
                               content=content)

    # --- lines and reservations -----------------------------------------------------------------------
    def _lines(self, statuses: list[LineStatus]) -> tuple[LineRecord, ...]:
        by_row = {r["line_number"]: r for r in self.rows}
        decided = {ld.line_number: ld for ld in self.d.lines}
        out: dict[int, LineRecord] = {}
        for s in statuses:
            row, ld = by_row[s.line_number], decided.get(s.line_number)
            out[s.line_number] = LineRecord(
                self.d.partner, self.d.po_number, s.line_number, line_state(s), line_id=row["line_id"] or "",
                sku=row.get("sku") or "", ack="+".join(s.ack.statuses()), ordered=s.ordered, unit=row["unit"] or "",
                unit_price=row["unit_price"], ack_price=ld.unit_price if ld else None, allocated=s.allocated,
                backordered=s.backordered, rejected=s.rejected, promised_date=s.promised_date,
                warehouses=s.warehouses, reason=s.reason, codes=tuple(ld.codes) if ld else (),
                revision=self.record.revision, run_id=self.run_id)
        for ln in self.stored:  # deleted and cancelled lines stay on the order's story
            if ln.line_number not in out and ln.state in GONE:
                out[ln.line_number] = ln
        return tuple(out[n] for n in sorted(out))

    def _reservations(self, rejected: bool) -> tuple[Reservation, ...]:
        if rejected:
            return ()
        changed = set(self.record.changed_lines)
        totals: dict[tuple[int, str], Reservation] = {}
        if self.record.is_revision:
            for r in self.reserved:
                if r.line_number not in changed:
                    totals[(r.line_number, r.warehouse)] = r
        for r in self.mine:
            if not (r["warehouse"] and r["allocated"]):
                continue
            k = (r["line_number"], r["warehouse"])
            before = totals.get(k)
            qty = int(r["allocated"]) + (before.quantity if before else 0)
            totals[k] = Reservation(self.d.partner, self.d.po_number, r["line_number"], r["warehouse"], r["sku"], qty)
        return tuple(totals[k] for k in sorted(totals))


def final_change_result(result: ChangeResult, statuses: list[LineStatus], *, order_rejected: bool) -> ChangeResult:
    """The 865's view of a change once the order is decided: a POC whose line the rules rejected (or
    whose order was rejected) is IR; an accepted one carries the quantity we acknowledge."""
    by_line = {s.line_number: s for s in statuses}
    out = []
    for r in result.line_results:
        s = by_line.get(r.line_number) if r.line_number is not None else None
        if r.status in (POC_REJECTED, DELETED) or (s is None and not order_rejected):
            out.append(r)
        elif order_rejected or all(st == "IR" for st in s.ack.statuses()):
            out.append(replace(r, status=POC_REJECTED))
        elif s.ordered is not None and r.quantity is not None and s.ordered != r.quantity:
            out.append(replace(r, quantity=s.ordered))
        else:
            out.append(r)
    return replace(result, line_results=out)


def decision_findings(findings: Sequence[Finding], decisions: Sequence[OrderDecision], orders: pa.Table,
                      lines: pa.Table, *, stage: str = "decide") -> tuple[FindingRecord, ...]:
    """The rules' findings with the order they concern and what happened because of each."""
    who = owners(orders, lines)
    by_key = {(d.partner, d.po_number): d for d in decisions}
    out = []
    for f in findings:
        loc = f.location
        owner = who.get((loc.file or "", f"{loc.isa13}-{loc.gs06}-{loc.st02}"))
        d = by_key.get(owner) if owner else None
        partner, po = owner if owner else ("", "")
        out.append(FindingRecord(f, partner, po, decision_consequence(f, d), stage))
    return tuple(out)


def decision_consequence(f: Finding, d: OrderDecision | None) -> str:
    if d is None:
        return "reported"
    if d.status == PENDING:
        return "order held for a person"
    if d.status == REJECTED:
        return "order rejected (855 RD)" + (f" by {d.decided_by}" if d.decided_by else "")
    approved = f"approved by {d.decided_by}; " if d.decided_by else ""
    if f.location.line_number is not None:
        ld = next((x for x in d.lines if x.line_number == f.location.line_number), None)
        if ld is not None:
            qty = f" {_num(ld.quantity)}" if ld.ack01 == "IQ" and ld.quantity is not None else ""
            return approved + f"line {ld.line_number}: {ld.ack01}{qty}" + (
                " (accepted, reported)" if ld.ack01 == "IA" else "")
    return approved + ("reported" if f.severity != "error" else "order answered with these line outcomes")
