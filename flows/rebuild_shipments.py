"""`orderbridge state rebuild`, step 5: the shipments made again as the store's records (tables shipments,
cartons, shipment_lines; the orders' lines shipped, their reservations consumed, the orders moved), by replaying
each warehouse's archived confirmations (a CSV or a 945, as flows.shipments archives them) through the ship stage's
own checks and planner (flows.shipments.prepare_file, plan_file), oldest first, on the orders the rebuild restored.

What the partner got is the truth: a shipment is recorded only as its 856 in the outbox says it was sent. Each
shipment's record points at that 856's set (asn_doc_key: the rebuilt document's key, so `status` and the verdicts
name it), is dated when it was sent (asn_at, from its envelope), and its cartons carry the SSCCs its 856 carried
(the replay numbers them in the order the nights did, from 1 under each GS1 prefix; where those differ from the
856's, the 856's are kept and the notes name the shipment). Nothing is built, numbered or sent: the replay's 856s
and findings are dropped (the nights' findings are in their reports), the SSCC sequence stays where step 1 raised
it, past every SSCC in the outboxes. A confirmation whose shipment has no 856 in the outbox (held that night, or
sent from an outbox not read here) is recorded all the same, the goods having left, and named in the notes: its 856
is not sent by a later night (`orderbridge resend` cannot either): tell the partner by hand. The confirmation files
are recorded as taken, so a warehouse sending one again is told a duplicate, not shipped twice.
"""

from __future__ import annotations

import functools
import hashlib
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from connectors.state import StateStore
from engine.lifecycle import restore_invoices
from engine.sscc import serial_capacity, serial_of
from flows import shipments
from flows.workspace import Workspace
from parsers.sent_documents import read_sent_lines, sent_heads
from parsers.x12_reader import read_interchanges
from schemas.lifecycle import ORDER_KEYS, RESERVATION_ROWS, Plan, ReservationTable
from schemas.profile import PartnerProfile
from schemas.shipment_records import RecordedCarton

ENOUGH = 1 << 40  # units a reported line is replayed as reserved (none of its confirmations exceeds it)


@dataclass(frozen=True)
class Sent856:
    """One 856 set found in a partner's outbox: the key step 1 recorded it under, when it was sent, its SSCCs."""

    partner: str
    doc_key: str
    sent_at: str
    ssccs: tuple[str, ...]


def sent_856s(files: dict[str, list[Path]], recorded: set[tuple[str, str]], *, at: str, sent_at
              ) -> dict[str, list[Sent856]]:
    """BSN02 (the shipment id) -> the 856 sets carrying it, from each partner's outbox ``files`` (partner ->
    paths) whose (partner, file name) step 1 recorded as a document of its own (``recorded``; a resend's copy is
    not one); ``sent_at(data, at)``: when a file was sent (its envelope)."""
    out: dict[str, list[Sent856]] = defaultdict(list)
    for pid, paths in files.items():
        for path in paths:
            data = path.read_bytes()
            if data[:3] != b"ISA" or len(data) < 106 or b"ST" not in data:
                continue
            owner = next((p for p, name in recorded if name == path.name and p in (pid,)), None) or next(
                (p for p, name in recorded if name == path.name), None)
            if owner is None:
                continue
            when = sent_at(data, at)
            for n, shipment, ssccs in _sets(data):
                if shipment:
                    out[shipment].append(Sent856(owner, f"sent:{path.name}:{n}", when, ssccs))
    return out


def _sets(data: bytes) -> list[tuple[int, str, tuple[str, ...]]]:
    """(the set's ordinal in the file from 1, its BSN02 or "" for another set, the SSCCs of its MAN*GM) per ST."""
    return [(h["n"], h.get("BSN", "") if h["set_id"] == "856" else "", tuple(h.get("MAN", ())))
            for h in sent_heads(data)]


def reship(ws: Workspace, state: StateStore, profiles: dict[str, PartnerProfile], sent: dict[str, list[Sent856]],
           notes: list[str], *, archived, reported: Collection[tuple[str, str]], at: str, run_id: str
           ) -> tuple[int, set[tuple[str, str]]]:
    """Replay every local warehouse's archived confirmations (``archived(folder)``: the files, oldest first);
    returns the shipments recorded and the (partner, shipment id) of each whose 856 was found (its recorded
    lines for the reconciliation are then the shipment's own). ``reported``: the orders whose reservations the
    rebuild took from a run report's tables, which a night writes after its shipments consumed theirs: their lines
    are replayed as reserved enough (_as_reserved) and keep the report's reservations after (no unit consumed
    twice); the others' (placed from their answers: lifecycle.restore.placed_by_answers) are consumed as a night
    consumes them."""
    from connectors.reference import load_reference

    warehouses = ws.warehouses()
    files = []
    for wid, w in sorted(warehouses.items()):
        if w.drop.kind != "local":
            continue
        for path in archived(ws.warehouse_drop_root / wid / "archive"):
            day, _sha, name = path.name.split("-", 2)
            files.append((day, wid, name, path))
    if not files and not sent:
        return 0, set()
    ref = load_reference(ws.reference_dir)
    counters: dict[str, int] = defaultdict(int)  # prefix -> the last serial the replay numbered
    recorded, found = 0, set()
    unsent: list[str] = []
    renumbered: list[str] = []
    for day, wid, name, path in sorted(files, key=lambda f: (f[0], f[1], f[2])):
        w = warehouses[wid]
        data = path.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        key = shipments.files_key(w)
        if state.file_record(key, sha) is not None:
            continue
        read = shipments.read_confirmations(data, w, file=name, sha256=sha)
        kept_rows: list[pa.Table] = []
        prep = shipments.prepare_file(ws, w, profiles, state, ref, read, reserved_as=functools.partial(
            _as_reserved, reported=reported, stock_warehouse=w.stock_warehouse, kept=kept_rows))
        ids = set(prep.batch.partners)
        times = sorted(s.sent_at for sid in ids for s in sent.get(sid, ()))
        now = datetime.fromisoformat(times[0]) if times else datetime.strptime(day, "%Y%m%d")
        serials = {}
        for prefix, n in sorted(prep.batch.serials_needed.items()):
            serials[prefix] = [(counters[prefix] + i) % (serial_capacity(prefix) - 1) + 1 for i in range(n)]
            counters[prefix] += n
        plan = shipments.plan_file(ws, prep, w, profiles, ref, serials=serials, now=now, at=now.isoformat(),
                                   run_id=run_id, warehouses=warehouses)
        kept = []
        errors = sum(1 for fr in plan.findings if fr.finding.severity == "error")
        for s in plan.shipments:
            mine = [x for x in sent.get(s.shipment_id, ()) if x.partner == s.partner] or sent.get(s.shipment_id, [])
            if not mine:
                unsent.append(f"{s.partner}/{s.shipment_id} ({', '.join(s.po_numbers)}; {name})")
                kept.append(replace(s, asn_doc_key="", asn_at="", run_id=run_id))
                continue
            first = mine[0]
            found.add((s.partner, s.shipment_id))
            cartons = s.cartons
            if first.ssccs and sorted(c.sscc for c in cartons) != sorted(first.ssccs):
                cartons = _as_sent(cartons, first.ssccs, tuple(prep.batch.needs))
                renumbered.append(f"{s.partner}/{s.shipment_id}")
            kept.append(replace(s, asn_doc_key=first.doc_key, asn_at=first.sent_at, cartons=cartons, run_id=run_id))
        with state.transaction():
            state.apply(replace(plan, shipments=tuple(kept), documents=(), findings=()), at=now.isoformat(),
                        run_id=run_id)
            mine = sorted(k for k in prep.records if k in reported)
            if mine:  # the report's reservations, as it kept them
                state.apply(Plan(reservation_tables=(ReservationTable(
                    pa.Table.from_pylist([{"partner": p, "po_number": po} for p, po in mine], ORDER_KEYS),
                    kept_rows[0]),)), at=now.isoformat(), run_id=run_id)
            for s in kept:
                if s.asn_doc_key and s.po_numbers:
                    state.name_sent_po(s.partner, s.asn_doc_key, s.po_numbers[0])
            # (a file with a shipment held was quarantined by its night: a copy sent again is told so)
            state.record_file(key, sha, name, len(data), at, "quarantined" if errors else "processed",
                              archive_path=path.name, run_id=run_id, error_count=errors)
            state.mark_disposed(key, sha, at)
        recorded += len(kept)
    if recorded:
        notes.append(f"{recorded} shipment(s) were recorded again from the warehouses' archived confirmations, as "
                     "the ship stage recorded them (cartons, SSCCs, tracking, the lines shipped, the reservations "
                     "consumed), each tied to the 856 the partner got (docs/state-store.md, Recovery)")
    if unsent:
        notes.append("shipment(s) confirmed by a warehouse whose 856 is in no outbox read here (held that night, or "
                     "its outbox on an SFTP server): " + "; ".join(unsent[:10]) + ". Recorded as shipped (the goods "
                     "left); no later night sends their 856: check with the partner what it received")
    made = {sid for _p, sid in found}
    if unmatched := sorted(f"{x.partner}/{sid}" for sid, xs in sent.items() if sid not in made for x in xs):
        notes.append("856(s) in the outboxes whose shipment was not made again (no archived confirmation holds it, or "
                     "the replay held it where a person released it since): " + ", ".join(unmatched[:10]) + ". Their "
                     "lines stay recorded for the reconciliation, but their orders' lines come back unshipped: check "
                     "them before the next run (a confirmation of them would ship them again)")
    if renumbered:
        notes.append("shipment(s) whose 856 carried other SSCCs than the replay numbered (the store numbered them "
                     "in another order): " + ", ".join(renumbered[:10]) + "; the 856's SSCCs are kept, as the "
                     "partner received them")
    return recorded, found


def _as_reserved(reserved: pa.Table, lines: pa.Table, *, reported: Collection[tuple[str, str]], stock_warehouse: str,
                 kept: list[pa.Table]) -> pa.Table:
    """The reservations a replayed file is checked and planned against: those of an order ``reported`` (taken from
    a run report, consumed already by the shipments of its night) with, for each of its lines, as many more in the
    file's ``stock_warehouse`` as no confirmation exceeds (what the partner got is not judged again: its 856 went);
    the reported orders' own rows kept aside in ``kept``, restored once the file is recorded."""
    is_reported = pc.is_in(pc.binary_join_element_wise(reserved["partner"], reserved["po_number"], "\x1f"),
                           value_set=pa.array([f"{p}\x1f{po}" for p, po in reported], pa.string()))
    kept.append(reserved.filter(pc.and_(is_reported, pc.greater(reserved["quantity"], 0))).cast(RESERVATION_ROWS))
    mine = lines.filter(pc.is_in(pc.binary_join_element_wise(lines["partner"], lines["po_number"], "\x1f"),
                                 value_set=pa.array([f"{p}\x1f{po}" for p, po in reported], pa.string())))
    mine = mine.filter(pc.invert(pc.equal(pc.fill_null(mine["sku"], ""), "")))
    if not mine.num_rows:
        return reserved
    more = pa.table({"partner": mine["partner"], "po_number": mine["po_number"],
                     "line_number": pc.cast(mine["line_number"], pa.int32()),
                     "warehouse": pa.array([stock_warehouse] * mine.num_rows, pa.string()), "sku": mine["sku"],
                     "quantity": pa.array([ENOUGH] * mine.num_rows, pa.int64())}, schema=RESERVATION_ROWS)
    both = pa.concat_tables([reserved.cast(RESERVATION_ROWS), more])
    # one row per (line, warehouse), as the store keeps them
    grouped = both.group_by(["partner", "po_number", "line_number", "warehouse", "sku"]).aggregate(
        [("quantity", "sum")]).rename_columns(["partner", "po_number", "line_number", "warehouse", "sku", "quantity"])
    return grouped.cast(RESERVATION_ROWS).sort_by([("partner", "ascending"), ("po_number", "ascending"),
                                                   ("line_number", "ascending"), ("warehouse", "ascending")])


def _as_sent(cartons: tuple[RecordedCarton, ...], ssccs: tuple[str, ...], prefixes: tuple[str, ...]
             ) -> tuple[RecordedCarton, ...]:
    """The cartons with the SSCCs their 856 carried, in its order, where the counts agree (else as they were); a
    carton we numbered keeps the serial its SSCC holds under one of our ``prefixes``."""
    if len(cartons) != len(ssccs):
        return cartons
    out = []
    for c, sscc in zip(cartons, ssccs, strict=True):
        serial = next((n for p in prefixes if (n := serial_of(sscc, p)) is not None), None) \
            if c.serial is not None else None
        out.append(c._replace(sscc=sscc, serial=serial))
    return tuple(out)


def reinvoice(state: StateStore, files: dict[str, list[Path]], recorded: set[tuple[str, str]], notes: list[str], *,
              at: str, run_id: str, sent_at, profiles: dict[str, PartnerProfile] | None = None
              ) -> set[tuple[str, str]]:
    """The 810s in the partners' outboxes (``files``, of the documents step 1 ``recorded``) made again as the store's
    invoices, once the shipments they bill are (reship): engine.lifecycle.restore_invoices, in the order sent (their
    envelope's time, then the file's name). Returns the (partner, invoice number) of each recorded (its recorded
    lines for the reconciliation are then the invoice's own); one the store's lines could not bill is named in the
    notes and stays recorded for the reconciliation alone. An 880 is not (its G17 names no PO line: noted in step
    1). An 810 without CUR is recorded in the currency the invoice stage billed it in: the order's, else the
    partner's ``profiles`` [fulfilment.invoice] currency code, else none ("", as the stage records an invoice it
    wrote no CUR for: billed in the currency agreed with the partner, never named USD)."""
    found: list[tuple[str, dict, str, str]] = []  # (owner, the set's head, its doc key, when sent)
    grocery: list[tuple[str, str, str]] = []  # the 880s': (partner, PO, when sent)
    lines_of: dict[tuple[str, str], list[dict]] = {}
    for paths in files.values():
        for path in paths:
            owner = next((p for p, name in recorded if name == path.name), None)
            if owner is None:
                continue
            data = path.read_bytes()
            mine = [h for h in sent_heads(data) if h["set_id"] in ("810", "880") and h.get("BIG02") and h.get("BIG04")
                    and state.invoice_order(h["BIG02"]) is None]  # (a restored backup's own: kept)
            if not mine:
                continue
            when = sent_at(data, at)
            grocery += [(owner, h["BIG04"], when) for h in mine if h["set_id"] == "880"]
            mine = [h for h in mine if h["set_id"] == "810"]
            rows, _ = read_sent_lines(read_interchanges(data, file=path.name), partner=owner,
                                      sha256=hashlib.sha256(data).hexdigest())
            for r in rows.filter(pc.equal(rows["doc_type"], "810")).to_pylist():
                lines_of.setdefault((owner, r["document_ref"]), []).append(r)
            found += [(owner, h, f"sent:{path.name}:{h['n']}", when) for h in mine]
    _billed_by_880(state, grocery, notes)
    if not found:
        return set()
    found.sort(key=lambda f: (f[3], f[2]))
    keys = sorted({(owner, h["BIG04"]) for owner, h, _, _ in found})
    records = state.orders_for(keys)
    stored = state.lines_for(keys)
    shipped = {k: state.shipments_for_order(*k) for k in keys}
    invoices = []
    for owner, h, key, when in found:
        po = (owner, h["BIG04"])
        v = restore_invoices.sent_invoice(
            owner, h, key, when, lines_of.get((owner, h["BIG02"]), []), stored.get(po, ()), shipped.get(po, ()),
            run_id, currency=restore_invoices.sent_currency(h, records.get(po), (profiles or {}).get(owner)))
        if v is not None:
            invoices.append(v)
    done = restore_invoices.plan_sent_invoices(invoices, records=records, lines=stored, shipments=shipped, at=at,
                                               run_id=run_id)
    state.apply(done.plan, at=at, run_id=run_id)
    if done.recorded:
        notes.append(f"{len(done.recorded)} invoice(s) were recorded again from the 810s in the outboxes (their "
                     "numbers, lines and totals as sent; the lines invoiced, the orders and the shipments billed), so "
                     "no 810 is sent again and an order billed once shipped complete bills only what is left "
                     "(docs/state-store.md, Recovery)")
    if done.refused:
        notes.append("810(s) in the outboxes not recorded as the store's invoices (kept for the reconciliation "
                     "alone): " + "; ".join(f"{v.partner} {v.invoice_number} for {v.po_number}: {why}"
                                            for v, why in done.refused[:10])
                     + ". A later night may bill those units again: check them before it runs")
    return {(v.partner, v.invoice_number) for v in done.recorded}


def _billed_by_880(state: StateStore, grocery: list[tuple[str, str, str]], notes: list[str]) -> None:
    """The shipments an 880 in the outbox billed (its order's, sent before it) marked billed, so no later night bills
    them again; its lines are not recorded as invoiced (an 880's G17 names an item, not a PO line): the order stays
    shipped, named in the notes."""
    billed, named = [], []
    for partner, po, when in grocery:
        mine = [(s.warehouse, s.shipment_id) for s in state.shipments_for_order(partner, po)
                if s.billing in ("shipment", "order") and (s.asn_at or "") <= when]
        billed += mine
        if mine:
            named.append(f"{partner}/{po}")
    if billed:
        state.apply(Plan(billed=tuple(dict.fromkeys(billed))))
        notes.append("shipment(s) billed by an 880 in the outbox marked billed, so no later night bills them again: "
                     + ", ".join(sorted(set(named))[:10]) + "; their lines are not recorded as invoiced (an 880 names "
                     "items, not PO lines): those orders stay shipped, not invoiced, in `status`")
