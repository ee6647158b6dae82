"""State-store schema versions and the migrations between them, run when a store is opened, in one
transaction: a new store is created at the latest version; an older one is migrated step by step;
a newer one is refused (an older OrderBridge must not write into it).

Version 1 is the store before the order lifecycle (no `meta` table; orders kept a JSON `detail`
bag, `line_status` held decided lines only, a document was one row). Version 2 is the typed store
of connectors.state. Version 3 adds the inbound groups (groups_in); version 4 the indices that read a
run's rows (the run reports); version 5 reconciliation for finance (partners' 997s for our documents,
document verdicts, exceptions with evidence, history and per-run snapshots); version SHIPPING (6)
fulfilment and billing: shipments, cartons, shipment_lines, invoices, invoice_lines, the shipped /
invoiced quantities of order_lines and a finding's CSV row and column; version RECOVERY (7) recovery
(when an input file was moved to its disposition, which runs that did not finish a run completed);
version LEASES (8) the leases (connectors.lease: the workspace's, and a partner's when sharded);
version RETUNED_INDEXES (9) drops the (warehouse, sku) index of reservations (every plan's
writes paid for it; the one query by SKU, the totals, scans the table as fast) and indexes cartons by
label (every confirmation file looks its cartons up by label, among every carton ever recorded);
version TA1_ACKS (10) keeps a partner's TA1 for our interchange in partner_acks beside its 997s
(acked_isa13 = TA101, interchange_status = TA104, interchange_note = TA105): a TA1 R rejects the
documents of that interchange (engine.partner_acks); a store migrated holds no TA1 rows (TA1s read
before it were findings only). Version STORE_MARKS (11) keeps the store each shipped line's carton was
marked for (shipment_lines.mark_for_store: a store-level partner's SDQ store, as the PO wrote it), so a later
confirmation cannot give a store more than its SDQ quantity (rules.shipments.store_checks); lines recorded
before it have none. Version NET_WEIGHTS (12) keeps each shipped line's net weight and its unit
(shipment_lines.net_weight, net_weight_unit: a 945's W12 weight qualified N, the CSV's net-weight column): a
catch-weight line (cases priced per pound) is billed by it; lines recorded before it have none. Version
RECORDED_AMOUNTS (13) keeps what a recorded 810 line billed (recorded_lines.amount: IT102 x IT104 of an IT1 billed
by weight, its QTY 39 the cases), so a catch-weight line another system of ours invoiced in pounds ties by its
value; lines recorded before it have none (their value: quantity x price). Version BILLED_WEIGHTS (14) keeps the
net weight our 810 billed a catch-weight line by and its unit (invoice_lines.net_weight, net_weight_unit: IT102 and
IT103, the price's unit), so `status` reads what billing used instead of working it out; lines invoiced before it
have none (status then finds the unit whose weight times the price is the amount billed, as before). Version
BUYER_GS_IDS (15) keeps each order's GS02 (orders.gs02: the buyer a network such as SAP Ariba sent it for, under
one ISA06 for all its buyers), to which its 855/865/856/810 go; orders recorded before it have none (the
profile's their_gs_id, as before). Version SERIALS (16) keeps each unit's serial number shipped (shipped_serials:
one row per item and serial, the shipment, partner, PO and line it went on), so a serial cannot ship twice across
runs (rules.shipments.serial_checks) and `status` lists a line's serials; shipments recorded before it have none.
Version SUBSTITUTES (17) keeps the item the buyer ordered on a line decided on its substitute (order_lines.ordered_sku);
lines stored before it have none. Version RETURNED_SERIALS (18) keeps each serial ops marked returned
(`orderbridge serial-return`: returned_serials, the shipped row with who, when and why), moved out of shipped_serials
so the unit may ship again; nothing is deleted.
Version OUR_GS_IDS (19) keeps which of our GS ids each order was sent to
(orders.gs03: a division's application id, [x12] our_gs_id or our_gs_ids), from which its 855/865/856/810 are
sent (GS02); orders recorded before it have none (the profile's our_gs_id, as before).
Version RETAKES (20) keeps each earlier take of a file's content that ops asked to take again (`orderbridge
retake`: file_takes, its `files` row as it was with who asked, when and why), moved out of `files` so the next run
takes the content again; nothing is deleted.
Version ORDER_TYPES (21) keeps each order's BEG02 (orders.order_type: SA, CN, DS ...), so the invoice stage knows
an order the partner's [fulfilment.invoice] memo_order_types ships on memo (no 810) and status, the console and
the reconciliation say so; orders recorded before it have none (invoiced as shipped, as before).
Version SHIPMENT_METHODS (22) keeps each shipment's transport method as its 856 wrote it (shipments.transport_method:
TD504, the warehouse's own W2701 or the CSV's Transport Method when it named one), so its 810's CAD01 and 880's G2701
name the same; shipments recorded before it have none (worked out again from the carrier and the PO's TD5, as before).
Version WRITE_VERSIONS (23) keeps the store's write version (write_version: one row, bumped by every transaction that
writes anything but a lease row, whichever connection or process), so a table one stage of a night wrote can be
taken by the next stage's connection while nothing wrote since (connectors.store_versions); a store migrated starts
at 1 (its migration is a write), and an older OrderBridge, which would write without bumping it, refuses the store.
Version ISA_IDS (24) keeps the interchange ids each order came from and was sent to (orders.isa05, isa06: the
partner's ISA05/ISA06, one of [x12] their_ids for a partner sending from several; isa07, isa08: the ISA07/ISA08 of
ours it wrote to, [x12] our_ids), to which its 855/865/856/810 go and from which they are sent; orders recorded
before it have none (the profile's their_qualifier/their_id and our_qualifier/our_id, as before).
Version ORDER_PARTIES (25) keeps the buyer and ship-to each order's 850 named (orders.buyer_name, buyer_id_qualifier,
buyer_id: its N1*BY N102-N104; ship_to_name, ship_to_id_qualifier, ship_to_id: its N1*ST's), so an 850 arriving
again under its PO number with the same lines and another buyer or ship-to (a Dynamics 365 legal entity or an SAP
company code numbering its POs on its own) is told from a resend (ORDER_DUPLICATE error); orders recorded before it
have none (such a copy is taken for a resend, as before).
Version ACK_TIMED_BY (26) keeps what timed a partner's answer's lateness (document_acks.ack_timed_by: "written", the
partner's own GS04/GS05, ISA09/ISA10 or 824 date, or "picked_up", when we took the file), so `orderbridge status`
and later reports say by which clock minutes_to_ack and ack_late were measured; verdicts stored before have none
(the next reconciliation writes it: a verdict whose ack_timed_by differs from the stored one is a changed row).
Version RESENDS (27) keeps each document ops sent again when a partner said it never arrived (`orderbridge resend`:
resends, the document, who asked, when and why, and what went: the file, its bytes and control numbers, the kept
copy byte for byte or re-enveloped under new ones); nothing sent before it was sent again.
Version FINDING_DETAIL (28) keeps each finding's detail (schemas.findings.Detail: findings.shipment_id, the confirmed
shipment a ship-stage finding held; qualifier, the code qualifying the element a finding is about, a DTM02 finding's
DTM01; our_810s, what our 810s bill for each SAC a SAC_NOT_APPLIED finding names, "; "-joined), so what reads a
finding reads these, not its words; findings recorded before it have none (their readers read the words, as before).
Version RESEND_LOOKUPS (29) indexes shipments by partner and shipment id (shipments_shipment): `orderbridge resend
--document 856:SHIPMENT_ID` finds its 856 without reading every shipment (an 810's invoice number is its table's key).
Version HELD_LINES (30) keeps the order lines each shipment the ship stage held carries (held_lines: the run, partner,
shipment id, PO and line number of each of its confirmation's rows, the line null where the row named none), so the
reconciliation names a held shipment on the lines it carries, not on every line of its PO; shipments held before it
have none (named on every line of the finding's PO still to ship, as before).
Version LOOKUP_INDEXES (31) indexes what a buyer quotes that used to be found by reading a whole table: shipments by
tracking number (shipments_tracking) and bill of lading (shipments_bol), orders by their ship-to's N104 and shipped
lines by their mark-for store, each as the store search compares it (orders_ship_to, shipment_lines_store: without
leading zeros, in capitals); `orderbridge status` and the console's orders search use them (flows.order_lookup).
Version FINDING_SACS (32) keeps the SACs a SAC_NOT_APPLIED finding names as data (findings.sacs: schemas.findings.
Detail.sacs and sacs_more as JSON), so finance reads them instead of the finding's words; the step reads those of the
findings recorded before from their words, once (schemas.sac_words).
Version WORDS_AS_DATA (33) keeps as data what the store kept as words and readers parsed back. A taken file's
move out of its inbox that a finding about it says (findings.file_move: schemas.findings.MOVE_REFUSED, a
FILE_DUPLICATE's resend left in a local inbox that refused its move; MOVE_MADE, moved once permitted), so flows.taking
asks the column, not the consequence's words, and readers render the consequence from it
(schemas.findings.consequence_said); the step reads the words the consequence was restated with before, once, into the
column, and gives the consequence back its words as recorded. What an order line kept as marks among its codes, in
typed columns of order_lines: rejected_fraction (the part of a unit a line ordered in a fraction of its unit rejected
beyond its whole units), priced_per (how many of its units its price is of) and unit_eaches (the eaches its unit
holds, on a line priced per each in a pack) and backordered_over (what of the last of the whole units covering a
measure's backorder the line does not want: 2.5 LB backordered kept as 3 and 0.5); the step moves each mark once.
Version LINE_MARKS (34) does the same for the last marks a line kept among its codes: balance_cancelled (the units of
its balance cancelled after shipment, "BALANCE_CANCELLED:n"), expired (of its backorder cancelled past the order's last
date, "EXPIRED:n") and cut_from (its promise before an 860 cut it below what shipped, "CUT_FROM:n"); the step moves
each mark once (_migrate_to_line_marks). The same step gives each held order the hold codes of what held it, read
from the findings recorded as holding it (_held_for_from_findings), and a file read in pieces and not finished its
resume point as columns of files (resume_at, resume_segments, resume_part, resume_batches: _resume_points), not words
in its status.
Version AGED_READS (35) reads by key what a night read again, and more of, as the store aged (docs/design-night-in-
arrow.md, "Session 65"). The sets a partner's 997 can answer are found by an index on document_sets (partner, gs06)
(document_sets_gs06: StateStore.sent_sets_of(partner, gs06s=...) no longer walks every set sent to the partner). The
dates of the open orders the invoice stage looks at every night (is a short-shipped order's balance past its last
date?) are kept in order_dates, read from the order's stored tables the first night they are wanted and by key after
(StateStore.kept_order_dates); the step adds the table empty (each order's dates are read once more, then kept).
Version BLANKET_REFS (36) keeps the contract and agreement each order's 850 named in its heading (REF*CT, REF*AH:
orders.contract_number, agreement_number), indexed by partner and each (orders_contract, orders_agreement): the
releases naming a blanket by its contract or agreement, their own BEG03 another number (an ERP's release orders),
are found by them (StateStore.releases_naming) instead of by reading the stored ORDERS of every release of the
partner that may draw. The step adds the columns null (not known: the stored tables of such a release are read, as
before) and the indexes; it reads no order.
Version REFS_BY_KEY (37) finds the shipment id and invoice number of each of our 856s and 810s a partner's 997
names by the set's key (indexes shipments_asn on shipments (partner, asn_doc_key) and invoices_doc_key on invoices
(partner, doc_key): StateStore.fulfilment_refs(keys) no longer reads every shipment and invoice the store kept).
Version BLANKET_REFS_READ (38) has the contract and agreement of the orders stored before BLANKET_REFS (null: not
known) read from their stored tables, once: the step marks the store (meta BLANKET_REFS_UNREAD) when it holds such
orders, and the next night, under the workspace lease, fills them from each order's current stored ORDERS row
(flows.releases.fill_blanket_refs; the store never reads the Parquet tables itself, nor knows where they are) and
takes the mark away. A release taken before BLANKET_REFS is then found by the index as a new one is (a cancelled
blanket's releases, decide's blanket checks, `status`); one whose stored table cannot be read stays null, read as
before.
Version MOVED_SHIPPED (39) keeps, on a release an 860 moved to another contract or agreement after part of it
shipped, the number it left and what had shipped of each line then (orders.moved_from, moved_shipped), indexed by
partner and that number (orders_moved_from): the blanket it left counts what shipped, the one it moved to the rest
(engine.blankets.moves_of). The step adds the columns null (a release moved so before counts as it did) and the index.
Version CSV_ENCODINGS (40) keeps the encoding a CSV file was read in (files.encoding: "cp1252" for a UTF-8 layout's
file read as Windows-1252, parsers.csv_common; null for an X12 file and a file recorded before).
Must not import anything but schemas (connectors' rule).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from schemas.errors import StateError
from schemas.lifecycle import PlannedDocument, PlannedSet, decimal_text

if TYPE_CHECKING:
    from connectors.state import StateStore

# The version each step brings a store to; the only place their numbers are written (connectors.state
# keys its tables and columns by them). Fulfilment and billing's step came first (main's stores are at 6).
SHIPPING = 6
RECOVERY = SHIPPING + 1
LEASES = RECOVERY + 1
RETUNED_INDEXES = LEASES + 1
TA1_ACKS = RETUNED_INDEXES + 1
STORE_MARKS = TA1_ACKS + 1
NET_WEIGHTS = STORE_MARKS + 1
RECORDED_AMOUNTS = NET_WEIGHTS + 1
BILLED_WEIGHTS = RECORDED_AMOUNTS + 1
BUYER_GS_IDS = BILLED_WEIGHTS + 1
SERIALS = BUYER_GS_IDS + 1
SUBSTITUTES = SERIALS + 1
RETURNED_SERIALS = SUBSTITUTES + 1
OUR_GS_IDS = RETURNED_SERIALS + 1
RETAKES = OUR_GS_IDS + 1
ORDER_TYPES = RETAKES + 1
SHIPMENT_METHODS = ORDER_TYPES + 1
WRITE_VERSIONS = SHIPMENT_METHODS + 1
ISA_IDS = WRITE_VERSIONS + 1
ORDER_PARTIES = ISA_IDS + 1
ACK_TIMED_BY = ORDER_PARTIES + 1
RESENDS = ACK_TIMED_BY + 1
FINDING_DETAIL = RESENDS + 1
RESEND_LOOKUPS = FINDING_DETAIL + 1
HELD_LINES = RESEND_LOOKUPS + 1
LOOKUP_INDEXES = HELD_LINES + 1
FINDING_SACS = LOOKUP_INDEXES + 1
WORDS_AS_DATA = FINDING_SACS + 1
LINE_MARKS = WORDS_AS_DATA + 1
AGED_READS = LINE_MARKS + 1
BLANKET_REFS = AGED_READS + 1
REFS_BY_KEY = BLANKET_REFS + 1
BLANKET_REFS_READ = REFS_BY_KEY + 1
MOVED_SHIPPED = BLANKET_REFS_READ + 1
CSV_ENCODINGS = MOVED_SHIPPED + 1
LATEST = CSV_ENCODINGS
# the meta key BLANKET_REFS_READ's step leaves when the store holds orders whose contract and agreement are not known
# (null): the next night reads them from their stored tables (flows.releases.fill_blanket_refs), then deletes it
BLANKET_REFS_UNREAD = "blanket_refs_unread"
# the indexes LOOKUP_INDEXES adds (connectors.state's INDEXES defines them)
LOOKUP_INDEX_NAMES = ("shipments_tracking", "shipments_bol", "orders_ship_to", "shipment_lines_store")
SEQUENCES = ("arrival", "change", "document", "event", "exception_event", "finding")


def open_schema(store: StateStore) -> None:
    """Create the schema, or migrate it to LATEST, inside one transaction. A store already at LATEST is
    only read (no write transaction: opening it never waits for another process's writer - a lease's
    renewal, a reader - nor takes PostgreSQL's store lock)."""
    if "meta" in store._table_names() and detect_version(store) == LATEST:
        store._versioned = True
        return
    with store.transaction():
        version = detect_version(store)
        if version > LATEST:
            raise StateError(f"this state store has schema version {version}, newer than this OrderBridge "
                             f"understands ({LATEST}); use a newer OrderBridge", path=store.path)
        if version == 0:
            _create(store)
            return
        for step in range(version, LATEST):
            MIGRATIONS[step](store)
        # a store that had its write version before this migration: the migration's COMMIT bumps it as any write
        # does, and so do this connection's later writes (before, only a store opened at LATEST or given its write
        # version by the migration counted them)
        store._versioned = store._versioned or version >= WRITE_VERSIONS
        if version < LATEST:
            store._q("UPDATE meta SET value=? WHERE key='schema_version'", (str(LATEST),))


def detect_version(store: StateStore) -> int:
    """0: an empty store; 1: the store before `meta` existed; else meta's schema_version."""
    tables = store._table_names()
    if "meta" in tables:
        return int(store._q("SELECT value FROM meta WHERE key='schema_version'")[0][0])
    return 1 if "orders" in tables else 0


def _create(store: StateStore) -> None:
    from connectors.state import INDEXES, TABLES

    store._script(TABLES)
    store._script(INDEXES)
    store._many("INSERT INTO meta (key, value) VALUES (?,?)",
                [("schema_version", str(LATEST)), ("workspace_id", uuid.uuid4().hex)])
    store._many("INSERT INTO sequences (name, last) VALUES (?, 0)", [(s,) for s in SEQUENCES])
    _start_write_version(store)


def _start_write_version(store: StateStore) -> None:
    """The write version's row (0): the transaction creating or migrating the store bumps it at its COMMIT."""
    store._q("INSERT INTO write_version (one, version) VALUES (1, 0) ON CONFLICT (one) DO NOTHING")
    store._versioned = True


def _add_write_version(store: StateStore) -> None:
    """WRITE_VERSIONS - 1 -> WRITE_VERSIONS: the store's write version (table write_version, one row)."""
    add_tables(store, "write_version")
    _start_write_version(store)


# --- 1 -> 2 ------------------------------------------------------------------------------------------
_KINDS = (  # v1 history rows: (note prefix, event kind); the v1 `event` column held the new state
    ("received in ", "po_received"), ("replaced by ", "po_replaced"), ("cancelled by BEG01", "po_cancelled"),
    ("confirmation copy", "po_confirmed"), ("duplicate copy", "po_duplicate"),
    ("860 change received", "change_received"), ("changed by 860", "change_applied"),
    ("cancelled by 860", "change_cancelled"), ("held: ", "held"))
_STATE = {"pending_approval": "held"}
_BY_STATE = {"approved": "approved_by_person", "rejected_by_person": "rejected_by_person",
             "acknowledged": "acknowledged", "rejected": "rejected", "pending_approval": "held"}


def _migrate_1_to_2(store: StateStore) -> None:
    """JSON detail -> typed columns; line_status -> order_lines; a document row -> documents +
    document_sets; history rows get their event kind, from/to states and clock; runs and pending
    changes get their new columns; the ARRIVAL counter becomes a sequence."""
    q = store._q
    orders = q("SELECT partner, po_number, state, source_file, source_sha256, isa13, gs06, st02, received_at,"
               " updated_at, detail FROM orders")
    events = q("SELECT id, partner, po_number, at, event, actor, note FROM order_events ORDER BY id")
    lines = q("SELECT partner, po_number, line_number, line_id, ack, ordered, allocated, backordered, rejected,"
              " promised_date, warehouses, reason, codes, run_id FROM line_status")
    docs = q("SELECT id, partner, doc_type, doc_key, file_name, isa13, gs06, st02, content, status, created_at,"
             " delivered_at, source_sha256, po_number, run_id FROM documents ORDER BY id")
    changes = q("SELECT id, partner, po_number, change_ref, store_key, source_file, received_at, status"
                " FROM pending_changes ORDER BY id")
    runs = q("SELECT run_id, started_at, finished_at, summary FROM runs")
    arrival = q("SELECT last FROM control_numbers WHERE partner='_orderbridge' AND kind='ARRIVAL'")
    for table in ("orders", "order_events", "line_status", "documents", "pending_changes", "runs"):
        q(f"DROP TABLE {table}")
    keep = {"files", "interchanges_in", "control_numbers", "reservations"}
    from connectors.state import ADDED_IN, INDEXES, TABLES

    later = {t for tables in ADDED_IN.values() for t in tables}  # created by their own version's step
    store._script(";".join(s for s in TABLES.split(";") if not any(f"TABLE {t} (" in s for t in keep | later)))
    store._script(";".join(s for s in INDEXES.split(";") if not any(f" ON {t} (" in s for t in later)))
    store._many("INSERT INTO meta (key, value) VALUES (?,?)",
                [("schema_version", "2"), ("workspace_id", uuid.uuid4().hex), ("migrated_from", "1")])
    history: dict[tuple[str, str], list[tuple]] = {}
    for e in events:
        history.setdefault((e[1], e[2]), []).append(e)
    docs_by_po: dict[tuple[str, str, str], list[int]] = {}
    for d in docs:
        for po in (d[13] or "").split(","):
            if po:
                docs_by_po.setdefault((d[1], po, d[2]), []).append(d[0])
    order_rows, revisions = [], {}
    for o in orders:
        order_rows.append(_order_v2(o, history.get((o[0], o[1]), [])))
        revisions[(o[0], o[1])] = order_rows[-1][3]
    from connectors.state import EVENT_COLUMNS, LINE_COLUMNS, ORDER_COLUMNS

    LINE_COLUMNS = LINE_COLUMNS[:20]  # noqa: N806 - version 2's columns (version 3 added shipped, invoiced)
    ORDER_COLUMNS = ORDER_COLUMNS[:33]  # noqa: N806 - version 2's columns (BUYER_GS_IDS added gs02, OUR_GS_IDS gs03,
    # ORDER_TYPES order_type, ISA_IDS isa05-isa08, ORDER_PARTIES buyer_* and ship_to_*)
    store._many(f"INSERT INTO orders ({', '.join(ORDER_COLUMNS)}) VALUES ({','.join('?' * len(ORDER_COLUMNS))})",
                order_rows)
    store._many(f"INSERT INTO order_events ({', '.join(EVENT_COLUMNS)}) VALUES"
                f" ({','.join('?' * len(EVENT_COLUMNS))})",
                [row for key, rows in history.items() for row in _events_v2(rows, docs_by_po, key)])
    states = {(o[0], o[1]): o[2] for o in order_rows}
    store._many(f"INSERT INTO order_lines ({', '.join(LINE_COLUMNS)}) VALUES ({','.join('?' * len(LINE_COLUMNS))})",
                [_line_v2(r, states.get((r[0], r[1]), ""), revisions.get((r[0], r[1]), 1)) for r in lines])
    docs = [_held_v2(d) if d[9] == "held" else d for d in docs]
    store._many("INSERT INTO documents (id, partner, doc_type, file_name, isa13, gs06, content, status, created_at,"
                " delivered_at, run_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [(d[0], d[1], d[2], d[4], d[5], d[6], d[8], d[9], d[10], d[11], d[14]) for d in docs])
    store._many("INSERT INTO document_sets (partner, doc_key, document_id, position, set_id, st02, gs06, po_number,"
                " source_sha256, answers_isa13, answers_gs06) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [row for d in docs for row in _sets_v2(d)])
    store._many("INSERT INTO pending_changes (id, partner, po_number, change_ref, store_key, source_file,"
                " received_at, status, base_key, revision) VALUES (?,?,?,?,?,?,?,?,'',0)",
                [(*c[:7], {"applied": "answered", "rejected": "refused"}.get(c[7], c[7])) for c in changes])
    store._many("INSERT INTO runs (run_id, kind, clock, started_at, finished_at, status, summary)"
                " VALUES (?,?,?,?,?,?,?)",
                [(r[0], "nightly", r[1], r[1], r[2], "finished" if r[2] else "failed", r[3]) for r in runs])
    last = {"arrival": arrival[0][0] if arrival else 0, "change": max((c[0] for c in changes), default=0),
            "document": max((d[0] for d in docs), default=0), "event": max((e[0] for e in events), default=0),
            "finding": 0}
    store._many("INSERT INTO sequences (name, last) VALUES (?,?)", sorted(last.items()))
    q("DELETE FROM control_numbers WHERE partner='_orderbridge' AND kind='ARRIVAL'")


def _order_v2(o: tuple, history: list[tuple]) -> tuple:
    partner, po, state, source_file, sha, isa13, gs06, st02, received_at, updated_at, detail = o
    d = json.loads(detail or "{}")
    changed = d.get("changed_lines")
    revision = 1 + sum(1 for e in history if (e[6] or "").startswith(("changed by 860", "replaced by ")))
    new_state = _STATE.get(state, state)
    if new_state == "received" and changed is not None:
        new_state = "changed"  # an answered order changed by an 860, waiting for the rules
    if state in ("acknowledged", "rejected"):
        answered = revision
    elif changed is not None:
        answered = max(revision - 1, 1)
    else:
        answered = 0
    verdict, by, at = None, d.get("decided_by"), None
    for e in history:
        if e[4] in ("approved", "rejected_by_person"):
            verdict = "approved" if e[4] == "approved" else "rejected"
            by, at = e[5], e[3]
    return (partner, po, new_state, revision, answered, d.get("order_ref", ""), d.get("lines_key", ""),
            source_file, sha, isa13, gs06, st02, d.get("arrival", 0), d.get("purpose", "00"), d.get("version", ""),
            None, "", str(d.get("value", "0")), d.get("ack_type", ""), "855" if d.get("ack_type") else "",
            ",".join(d.get("hold_codes", [])), json.dumps(d.get("hold_reasons", [])), ",".join(d.get("codes", [])),
            verdict, by if verdict else None, at, d.get("decision_note") if verdict else None,
            ",".join(str(n) for n in changed or []), d.get("change_file", ""), d.get("lines", 0), received_at,
            updated_at, "")


def _events_v2(rows: list[tuple], docs_by_po: dict, key: tuple[str, str]) -> list[tuple]:
    out, before, revision = [], None, 1
    answers = {t: list(docs_by_po.get((key[0], key[1], t), [])) for t in ("855", "865")}
    for seq, partner, po, at, event, actor, note in rows:
        note = note or ""
        kind = next((k for prefix, k in _KINDS if note.startswith(prefix)), None) or _BY_STATE.get(event, "migrated")
        if kind in ("change_applied", "po_replaced"):
            revision += 1
        to = _STATE.get(event, event)
        if to == "received" and kind == "change_applied":
            to = "changed"
        doc = None
        if kind in ("acknowledged", "rejected") and answers["855"] and note.startswith("855 ") and note[4:6].strip():
            doc = answers["855"].pop(0)
        elif kind in ("change_applied", "change_cancelled") and answers["865"]:
            doc = answers["865"].pop(0)
        clock = "wall" if kind in ("approved_by_person", "rejected_by_person") else "run"
        out.append((seq, partner, po, at, clock, kind, before, to, revision, actor, note, "", doc))
        before = to
    return out


def _line_v2(r: tuple, order_state: str, revision: int) -> tuple:
    partner, po, number, line_id, ack, ordered, allocated, backordered, rejected, promised, wh, reason, codes, run = r
    parts = (ack or "").split("+")
    if parts == ["ID"]:
        state = "cancelled" if order_state == "cancelled" else "deleted"
    elif backordered:
        state = "backordered"
    elif allocated:
        state = "allocated"
    elif parts and all(p == "IR" for p in parts):
        state = "rejected"
    else:
        state = "accepted"
    return (partner, po, number, line_id, "", state, ack, ordered, "", None, None, allocated, backordered, rejected,
            promised, wh, reason, codes, revision, run)


def _answers_v2(doc_type: str, doc_key: str) -> tuple[str, str]:
    """The inbound ISA13 (997, TA1) and GS06 (997) a version 1 acknowledgment key names."""
    parts = doc_key.split(":")
    isa = parts[2] if doc_type in ("997", "TA1") and len(parts) > 3 else ""
    grp = parts[3] if doc_type == "997" and len(parts) > 4 else ""
    return isa, grp


def _held_v2(d: tuple) -> tuple:
    """A document version 1 held unrendered (status 'held', no file name, {functional_id, bodies} as
    content) as connectors.state keeps one: file name held-<id>, no numbers, its plan as content."""
    from connectors.state import HELD, _held_content

    doc_id, partner, doc_type, doc_key = d[:4]
    saved = json.loads(bytes(d[8]))
    bodies = saved.get("bodies") or [[]]
    isa, grp = _answers_v2(doc_type, doc_key)
    sets = tuple(PlannedSet(doc_key if i == 0 else f"{doc_key}#{i + 1}", () if doc_type == "TA1" else
                            tuple(tuple(_tuple(v) for v in seg) for seg in body), d[13] or "", d[12] or "", isa, grp)
                 for i, body in enumerate(bodies[:1] if doc_type == "TA1" else bodies))
    document = PlannedDocument(partner, doc_type, saved.get("functional_id", ""), sets,
                               ta1=tuple(bodies[0][0]) if doc_type == "TA1" and bodies[0] else ())
    return (*d[:4], f"{HELD}-{doc_id}", "", "", "", _held_content(document), HELD, *d[10:])


def _tuple(value):
    return tuple(value) if isinstance(value, list) else value


def _sets_v2(d: tuple) -> list[tuple]:
    doc_id, partner, doc_type, doc_key, _file, _isa13, gs06, st02, *_rest = d
    sha, po = d[12], d[13]
    isa, grp = _answers_v2(doc_type, doc_key)
    numbers = [n for n in (st02 or "").split(",") if n] or [""]
    if d[9] == "held":  # one set per body of its plan, no numbers yet
        numbers = [""] * len(json.loads(d[8])["sets"])
    return [(partner, doc_key if i == 0 else f"{doc_key}#{i + 1}", doc_id, i + 1, doc_type, n, gs06 or "", po or "",
             sha or "", isa, grp) for i, n in enumerate(numbers)]


def add_tables(store: StateStore, *names: str) -> None:
    """A migration step that only adds tables (and their indices) of connectors.state's DDL: how a
    new table lands (add it to TABLES, bump LATEST, add ``N: lambda s: add_tables(s, "name")``)."""
    from connectors.state import INDEXES, TABLES

    wanted = [s for s in TABLES.split(";") if any(f"TABLE {n} (" in s for n in names)]
    if len(wanted) != len(names):
        raise StateError("a migration names a table connectors.state does not define", tables=names)
    # a store migrated from version 1 got the whole current DDL in step 1 -> 2: those tables are there
    names = tuple(n for n in names if n not in store._table_names())
    store._script(";".join(s for s in wanted if any(f"TABLE {n} (" in s for n in names)))
    store._script(";".join(s for s in INDEXES.split(";") if any(f" ON {n} (" in s for n in names)))


def _migrate_to_aged_reads(store: StateStore) -> None:
    """Step AGED_READS - 1 -> AGED_READS: the order_dates table (empty: each order's dates are read from its stored
    tables the first night they are wanted) and document_sets' index by partner and GS06."""
    add_tables(store, "order_dates")
    add_indexes(store, "document_sets_gs06")


def _migrate_to_blanket_refs(store: StateStore) -> None:
    """Step BLANKET_REFS - 1 -> BLANKET_REFS: orders.contract_number and agreement_number (null: not known, read from
    the order's stored tables when a blanket's releases are looked up) and their indexes by partner."""
    _columns_of(BLANKET_REFS)(store)
    add_indexes(store, "orders_contract", "orders_agreement")


def _migrate_to_refs_by_key(store: StateStore) -> None:
    """Step REFS_BY_KEY - 1 -> REFS_BY_KEY: shipments' index by partner and ASN set key, invoices' by partner and
    810 set key (what intake's check of a partner's 997 looks our shipment ids and invoice numbers up by)."""
    add_indexes(store, "shipments_asn", "invoices_doc_key")


def _migrate_to_blanket_refs_read(store: StateStore) -> None:
    """Step BLANKET_REFS_READ - 1 -> BLANKET_REFS_READ: the store marked (meta BLANKET_REFS_UNREAD) when some order's
    contract and agreement are not known (null: stored before BLANKET_REFS), for the next night to read them from
    their stored tables (flows.releases.fill_blanket_refs: this module reads no Parquet). A store without such an
    order is not marked: nothing to read."""
    if store._q("SELECT 1 FROM orders WHERE contract_number IS NULL LIMIT 1"):
        store._q("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                 (BLANKET_REFS_UNREAD, "due"))


def _migrate_to_moved_shipped(store: StateStore) -> None:
    """Step MOVED_SHIPPED - 1 -> MOVED_SHIPPED: orders.moved_from and moved_shipped (null: not moved after shipment;
    a release moved so before the step counted whole on the blanket it names now, as it did) and their index by
    partner and the number left (orders_moved_from: the blanket it left finds it by key)."""
    _columns_of(MOVED_SHIPPED)(store)
    add_indexes(store, "orders_moved_from")


def add_indexes(store: StateStore, *names: str) -> None:
    """A migration step that only adds indices of connectors.state's INDEXES (by index name); one an
    earlier step already created (1 -> 2 creates every index of the current DDL) is left alone."""
    from connectors.state import INDEXES

    wanted = [s for s in INDEXES.split(";") if any(f"INDEX {n} ON " in s for n in names)]
    if len(wanted) != len(names):
        raise StateError("a migration names an index connectors.state does not define", indexes=names)
    store._script(";".join(s.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ") for s in wanted))


def drop_indexes(store: StateStore, *names: str) -> None:
    """A migration step that drops indices connectors.state's INDEXES no longer defines (one a store
    never had is no error)."""
    from connectors.state import INDEXES

    if any(f"INDEX {n} ON " in INDEXES for n in names):
        raise StateError("a migration drops an index connectors.state still defines", indexes=names)
    for name in names:
        store._q(f"DROP INDEX IF EXISTS {name}")


def _retune_indexes(store: StateStore) -> None:
    drop_indexes(store, "reservations_sku")
    add_indexes(store, "cartons_label")


FINANCE = ("partner_acks", "document_acks", "exceptions", "exception_evidence", "exception_history",
           "reconciliations", "exception_snapshots", "recorded_lines")


def _migrate_4_to_5(store: StateStore) -> None:
    """Reconciliation for finance: its tables, and the sequence numbering exception history rows."""
    add_tables(store, *FINANCE)
    store._q("INSERT INTO sequences (name, last) VALUES ('exception_event', 0) ON CONFLICT (name) DO NOTHING")


def add_columns(store: StateStore, *columns: tuple[str, str, str]) -> None:
    """A migration step that adds (table, column, type) columns (``ALTER TABLE ... ADD COLUMN``);
    a column the table already has (created by an earlier step from today's DDL) is left alone."""
    for table, column, kind in columns:
        if column not in store._columns(table):
            store._q(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")


def _migrate_to_shipping(store: StateStore) -> None:
    """Fulfilment and billing (step SHIPPING - 1 -> SHIPPING): the shipment and invoice tables,
    shipped/invoiced on order_lines, a finding's CSV row and column."""
    from connectors.state import ADDED_IN, COLUMNS_ADDED_IN

    add_tables(store, *ADDED_IN[SHIPPING])
    add_columns(store, *COLUMNS_ADDED_IN[SHIPPING])


def _migrate_to_recovery(store: StateStore) -> None:
    """Recovery (issue 10; step RECOVERY - 1 -> RECOVERY): a file's move after intake is recorded
    (`files.disposed_at`: files of an older store were all moved by the time it is migrated), and a run
    names the runs that did not finish whose work it completed, so its report covers them
    (`runs.recovers`: filled in for the runs already recorded by the rule a run applies when it starts,
    connectors.state.unfinished_before)."""
    from connectors.state import COLUMNS_ADDED_IN, _join, unfinished_before

    add_columns(store, *COLUMNS_ADDED_IN[RECOVERY])
    store._q("UPDATE files SET disposed_at = received_at WHERE disposed_at IS NULL")
    rows = store._q("SELECT run_id, kind, status FROM runs ORDER BY started_at, run_id")
    runs = [{"run_id": r, "kind": k, "status": st} for r, k, st in rows]
    store._many("UPDATE runs SET recovers=? WHERE run_id=? AND recovers IS NULL",
                [(_join(c for c in unfinished_before(runs[:i], r["run_id"])), r["run_id"])
                 for i, r in enumerate(runs) if r["kind"] == "nightly"])


def _columns_of(version: int) -> Callable[[StateStore], None]:
    """The step (``version`` - 1 -> ``version``) that only adds the columns connectors.state.COLUMNS_ADDED_IN
    lists for ``version``: null in the rows recorded before."""
    def step(store: StateStore) -> None:
        from connectors.state import COLUMNS_ADDED_IN

        add_columns(store, *COLUMNS_ADDED_IN[version])

    return step


def _migrate_to_finding_detail(store: StateStore) -> None:
    """A finding's detail (step FINDING_DETAIL - 1 -> FINDING_DETAIL): its columns, null in the rows recorded before,
    but for the shipment a ship-stage finding held, read once here from the consequence that named it ("shipment S
    held: ...", as engine.lifecycle.shipping wrote it), so the reconciliation's held shipments read only the column
    (the qualifier and our_810s of older findings stay null: their readers read those findings' words)."""
    from connectors.state import COLUMNS_ADDED_IN

    add_columns(store, *COLUMNS_ADDED_IN[FINDING_DETAIL])
    rows = store._q("SELECT id, consequence FROM findings WHERE stage = 'shipments' AND consequence LIKE"
                    " 'shipment % held:%'")
    held = [(c[len(_SHIPMENT):c.index(_HELD, len(_SHIPMENT) + 1)], i) for i, c in rows
            if c.startswith(_SHIPMENT) and _HELD in c[len(_SHIPMENT) + 1:]]
    if held:
        store._many("UPDATE findings SET shipment_id=? WHERE id=?", held)


_SHIPMENT, _HELD = "shipment ", " held:"  # the held consequence's words around its shipment id


def _migrate_to_finding_sacs(store: StateStore) -> None:
    """A SAC_NOT_APPLIED finding's SACs as data (step FINDING_SACS - 1 -> FINDING_SACS): the column, filled for the
    findings recorded before from the SACs their words name (schemas.sac_words, with what their our_810s says of our
    810s where they have it), once, so finance reads only the column; a finding whose words name none stays null."""
    from connectors.state import COLUMNS_ADDED_IN
    from schemas.findings import our_810s_of, sacs_text
    from schemas.sac_words import sacs_in_words

    add_columns(store, *COLUMNS_ADDED_IN[FINDING_SACS])
    rows = store._q("SELECT id, message, our_810s FROM findings WHERE code = 'SAC_NOT_APPLIED' AND sacs IS NULL")
    read = [(sacs_text(*sacs_in_words(m or "", our_810s_of(o))), i) for i, m, o in rows]
    if read := [(t, i) for t, i in read if t is not None]:
        store._many("UPDATE findings SET sacs=? WHERE id=?", read)


def _migrate_to_words_as_data(store: StateStore) -> None:
    """State kept as words, made data (step WORDS_AS_DATA - 1 -> WORDS_AS_DATA). A duplicate file's move: the column
    findings.file_move, filled once for the FILE_DUPLICATE findings (the only code flows.taking restated) whose
    consequence ends in what schemas.findings.MOVE_SAID says of a move refused or made, each consequence given back
    its words as recorded ("nothing sent again"), so readers render it as before (consequence_said) and flows.taking
    reads only the column. A line's marks among its codes: their columns (_marks_to_columns)."""
    from connectors.state import COLUMNS_ADDED_IN
    from schemas.findings import MOVE_SAID

    add_columns(store, *COLUMNS_ADDED_IN[WORDS_AS_DATA])
    rows = store._q("SELECT id, consequence FROM findings WHERE code = 'FILE_DUPLICATE' AND file_move IS NULL")
    read = [(move, c[:-len(said)], i) for i, c in rows for move, said in MOVE_SAID.items() if (c or "").endswith(said)]
    if read:
        store._many("UPDATE findings SET file_move=?, consequence=? WHERE id=?", read)
    from schemas.units import BACKORDERED_OVER, PRICED_PER, REJECTED_FRACTION, UNIT_EACHES

    # "REJECTED_FRACTION:0.344" to rejected_fraction ("0.344"), "PRICED_PER:1000" to priced_per ("1000"),
    # "UNIT_EACHES:12" to unit_eaches (12), "BACKORDERED_OVER:0.5" to backordered_over ("0.5")
    _marks_to_columns(store, ((REJECTED_FRACTION, str, "rejected_fraction", False),
                              (PRICED_PER, str, "priced_per", False), (UNIT_EACHES, int, "unit_eaches", False),
                              (BACKORDERED_OVER, str, "backordered_over", False)))


def _marks_to_columns(store: StateStore, marks: tuple[tuple[str, type, str, bool], ...]) -> None:
    """The marks order lines kept among their codes moved to their columns, once, each line's codes left without them:
    ``marks`` (mark, the column's kind, column, whether a count of 0 is null). Each was written once per line (its
    writer replaced the mark it found): the last one of a kind is the line's; one whose value is no number is dropped
    (no reader could use it)."""
    like = " OR ".join("codes LIKE ? ESCAPE '!'" for _ in marks)
    rows = store._q(f"SELECT partner, po_number, line_number, codes FROM order_lines WHERE {like}",
                    tuple("%" + m.replace("_", "!_") + "%" for m, *_ in marks))
    moved = []
    for partner, po, number, codes in rows:
        parts = [c for c in codes.split(",") if c]
        values = [next((_mark_value(kind, c[len(m):]) for c in reversed(parts) if c.startswith(m)), None)
                  for m, kind, *_ in marks]
        values = [None if zero_null and v is not None and not Decimal(v) else v  # none cancelled: null
                  for v, (*_, zero_null) in zip(values, marks, strict=True)]
        kept = [c for c in parts if not c.startswith(tuple(m for m, *_ in marks))]
        moved.append((*values, ",".join(kept), partner, po, number))
    if moved:
        columns = "".join(f"{column}=?, " for _m, _k, column, _z in marks)
        store._many(f"UPDATE order_lines SET {columns}codes=? WHERE partner=? AND po_number=? AND line_number=?",
                    moved)


def _migrate_to_line_marks(store: StateStore) -> None:
    """The last marks order lines kept among their codes as columns (step LINE_MARKS - 1 -> LINE_MARKS), each moved
    once and the codes left without it: "BALANCE_CANCELLED:3" to balance_cancelled ("3"), "EXPIRED:12" to expired
    ("12"), "CUT_FROM:48" to cut_from (48). Each was written once per line (its writer replaced the mark it found):
    the last one of a kind is the line's; one whose value is no number is dropped (no reader could use it)."""
    from connectors.state import COLUMNS_ADDED_IN
    from schemas.lifecycle import BALANCE_CANCELLED, CUT_FROM, EXPIRED

    add_columns(store, *COLUMNS_ADDED_IN[LINE_MARKS])
    _marks_to_columns(store, ((BALANCE_CANCELLED, str, "balance_cancelled", True), (EXPIRED, str, "expired", True),
                              (CUT_FROM, int, "cut_from", False)))
    _held_for_from_findings(store)
    _resume_points(store)


def _resume_points(store: StateStore) -> None:
    """A file read in pieces and not finished kept where to go on in its status's words,
    "receiving:OFFSET:SEGMENTS:PART:ERRORS[:BATCHES]" (flows.intake); step LINE_MARKS moves them to its columns
    (resume_at, resume_segments, resume_part, its error_count, resume_batches), its status "receiving", once. A status
    whose words are no such numbers (none intake wrote) is left as it is."""
    moved = []
    for partner, sha, status in store._q("SELECT partner, sha256, status FROM files WHERE status LIKE 'receiving:%'"):
        parts = status[len("receiving:"):].split(":")
        if not 4 <= len(parts) <= 5 or not all(p.isdigit() for p in parts):
            continue
        at, segments, part, errors, batches = [int(p) for p in parts] + [0] * (5 - len(parts))
        moved.append((at, segments, part, errors, batches, partner, sha))
    if moved:
        store._many("UPDATE files SET status='receiving', resume_at=?, resume_segments=?, resume_part=?,"
                    " error_count=?, resume_batches=? WHERE partner=? AND sha256=?", moved)


def _held_for_from_findings(store: StateStore) -> None:
    """Each held order's hold codes as what held it (step LINE_MARKS), once. Until session 64 a held order stored
    every code its findings had as its hold codes (a CASE_PACK_ROUNDED rounding a line beside the credit limit that
    held it), and before that some stored none: `approve|reject|recheck --held-for CODE`, `approvals` and the
    console's reason filter read them. Its findings recorded by the decide and recheck stages as holding it (the
    consequence HELD_FOR_A_PERSON) are weighed as engine.decide weighs them (schemas.outcomes.holding_codes, each by
    its default outcome: the store knows no partner's policy), among its stored codes when it has some; a code with
    no default outcome (a partner's own) is kept. An order none of whose findings holds it so keeps what it has."""
    from schemas.lifecycle import HELD_FOR_A_PERSON
    from schemas.outcomes import DEFAULT_OUTCOMES, holding_codes

    held = {(p, po): _codes(text) for p, po, text in store._q(
        "SELECT partner, po_number, hold_codes FROM orders WHERE state = 'held'")}
    if not held:
        return
    found: dict[tuple[str, str], list[tuple[str, int | None]]] = {}
    for partner, po, code, line in store._q(
            "SELECT f.partner, f.po_number, f.code, f.line_number FROM findings f JOIN orders o ON"
            " o.partner = f.partner AND o.po_number = f.po_number WHERE o.state = 'held' AND f.stage IN"
            " ('decide', 'recheck') AND f.consequence = ? ORDER BY f.id", (HELD_FOR_A_PERSON,)):
        found.setdefault((partner, po), []).append((code, line))
    moved = []
    for key, stored in held.items():
        pairs = [(c, n) for c, n in found.get(key, ()) if not stored or c in stored]
        own = {c for c, _ in pairs if c not in DEFAULT_OUTCOMES}  # a partner's code: its outcome is its policy's
        weighed = [(DEFAULT_OUTCOMES[c], c, n) for c, n in pairs if c in DEFAULT_OUTCOMES]
        per_line: dict[int, list] = {}
        for o, c, n in weighed:
            if n is not None:
                per_line.setdefault(int(n), []).append((o, c))
        codes = tuple(sorted({*holding_codes([(o, c) for o, c, n in weighed if n is None], per_line), *own}))
        if codes and codes != tuple(sorted(stored)):
            moved.append((",".join(codes), *key))
    if moved:
        store._many("UPDATE orders SET hold_codes=? WHERE partner=? AND po_number=?", moved)


def _codes(text: str | None) -> tuple[str, ...]:
    return tuple(c for c in (text or "").split(",") if c)


def _mark_value(kind: type, text: str) -> str | int | None:
    """A mark's value as its column keeps it (None: none, or not one: a column never holds what no reader can read)."""
    try:
        return kind(text) if kind is int else decimal_text(Decimal(text)) if text else None
    except (ValueError, ArithmeticError):
        return None


# version -> the step that brings a store of that version to the next one
MIGRATIONS = {
    1: _migrate_1_to_2,
    2: lambda s: add_tables(s, "groups_in"),  # 3: inbound GS duplicates
    # 3 -> 4: a run's documents, history events, files and lines read by run (the reports are built from them)
    3: lambda s: add_indexes(s, "documents_run", "order_events_run", "files_run", "order_lines_run"),
    4: _migrate_4_to_5,  # 5: reconciliation for finance
    SHIPPING - 1: _migrate_to_shipping,  # SHIPPING: fulfilment and billing
    RECOVERY - 1: _migrate_to_recovery,  # RECOVERY: recovery (files.disposed_at, runs.recovers)
    LEASES - 1: lambda s: add_tables(s, "leases"),  # LEASES: the workspace's and partners' leases (issue 14)
    # RETUNED_INDEXES: reservations without their (warehouse, sku) index (0.35 s of a 4x decide's writes),
    # cartons by label (recorded_cartons_for scanned every carton ever recorded, per confirmation file)
    RETUNED_INDEXES - 1: _retune_indexes,
    # TA1_ACKS: a partner's TA1 for our interchange kept with its 997s (the interchange it answers, its verdict)
    TA1_ACKS - 1: _columns_of(TA1_ACKS),
    STORE_MARKS - 1: _columns_of(STORE_MARKS),  # each shipped line's store (shipment_lines.mark_for_store)
    NET_WEIGHTS - 1: _columns_of(NET_WEIGHTS),  # each shipped line's net weight and unit (catch-weight billing)
    RECORDED_AMOUNTS - 1: _columns_of(RECORDED_AMOUNTS),  # what a recorded 810 line billed (recorded_lines.amount)
    BILLED_WEIGHTS - 1: _columns_of(BILLED_WEIGHTS),  # the weight and unit our 810 billed a catch-weight line by
    BUYER_GS_IDS - 1: _columns_of(BUYER_GS_IDS),  # each order's GS02: its documents' GS03 (orders.gs02)
    SERIALS - 1: lambda s: add_tables(s, "shipped_serials"),  # each unit's serial shipped (unique per item)
    SUBSTITUTES - 1: _columns_of(SUBSTITUTES),  # the item ordered on a line decided on its substitute
    # a shipped serial ops marked returned (`orderbridge serial-return`): who, when, why; it may ship again
    RETURNED_SERIALS - 1: lambda s: add_tables(s, "returned_serials"),
    OUR_GS_IDS - 1: _columns_of(OUR_GS_IDS),  # which of our GS ids each order was sent to (orders.gs03)
    # a file's earlier take ops asked to take again (`orderbridge retake`): who, when, why; its content is taken again
    RETAKES - 1: lambda s: add_tables(s, "file_takes"),
    ORDER_TYPES - 1: _columns_of(ORDER_TYPES),  # each order's BEG02 (orders.order_type): memo orders ship unbilled
    # each shipment's TD504 as its 856 wrote it (shipments.transport_method): the 810's CAD01, the 880's G2701
    SHIPMENT_METHODS - 1: _columns_of(SHIPMENT_METHODS),
    # the store's write version, bumped by every write transaction: a night's stages hand tables on by it
    WRITE_VERSIONS - 1: _add_write_version,
    # the interchange ids each order came from and was sent to (orders.isa05-isa08): its documents' ISA07/08, ISA05/06
    ISA_IDS - 1: _columns_of(ISA_IDS),
    # the buyer and ship-to each order's 850 named (orders.buyer_*, ship_to_*): a reused PO number told from a resend
    ORDER_PARTIES - 1: _columns_of(ORDER_PARTIES),
    # what timed each partner answer's lateness (document_acks.ack_timed_by): the partner's clock or our pick-up
    ACK_TIMED_BY - 1: _columns_of(ACK_TIMED_BY),
    # each document ops sent again (`orderbridge resend`): who, when, why, what went (file, control numbers)
    RESENDS - 1: lambda s: add_tables(s, "resends"),
    # each finding's detail (findings.shipment_id, qualifier, our_810s): what its readers read instead of its words
    FINDING_DETAIL - 1: _migrate_to_finding_detail,
    # a shipment found by its id (`orderbridge resend --document 856:ID`): shipments by (partner, shipment_id)
    RESEND_LOOKUPS - 1: lambda s: add_indexes(s, "shipments_shipment"),
    # the order lines each held shipment carries (held_lines): the reconciliation names it on those alone
    HELD_LINES - 1: lambda s: add_tables(s, "held_lines"),
    # what a buyer quotes found by an index, not a read of the whole table: a shipment by its tracking number or bill
    # of lading, the orders of a store (the ship-to's N104, a shipped line's mark-for store)
    LOOKUP_INDEXES - 1: lambda s: add_indexes(s, *LOOKUP_INDEX_NAMES),
    # the SACs a SAC_NOT_APPLIED finding names, as data (findings.sacs): finance reads them, not the words
    FINDING_SACS - 1: _migrate_to_finding_sacs,
    # state kept as words, made data: a duplicate file's move out of its inbox (findings.file_move), a line's marks
    # among its codes (order_lines.rejected_fraction, priced_per, unit_eaches, backordered_over): each read once from
    # its words
    WORDS_AS_DATA - 1: _migrate_to_words_as_data,
    # the last marks a line kept among its codes as columns (order_lines.balance_cancelled, expired, cut_from)
    LINE_MARKS - 1: _migrate_to_line_marks,
    # what a night reads again as the store ages, read by key: the sent sets of the groups a partner's 997 answers
    # (document_sets_gs06), the dates of the orders still open that the invoice stage looks at every night
    # (order_dates: read from their stored tables once)
    AGED_READS - 1: _migrate_to_aged_reads,
    # the contract and agreement each order's 850 named (orders.contract_number, agreement_number; REF*CT, REF*AH),
    # indexed by partner: a blanket's releases naming it so found by key, not by reading every release
    BLANKET_REFS - 1: _migrate_to_blanket_refs,
    # the shipment ids and invoice numbers of the sets a partner's 997 names, by the sets' keys (shipments_asn,
    # invoices_doc_key), not every shipment and invoice kept
    REFS_BY_KEY - 1: _migrate_to_refs_by_key,
    # the contract and agreement of the orders stored before BLANKET_REFS read from their stored tables, once: marked
    # here (meta BLANKET_REFS_UNREAD), read by the next night (flows.releases.fill_blanket_refs)
    BLANKET_REFS_READ - 1: _migrate_to_blanket_refs_read,
    # what a release an 860 moved after part of it shipped keeps of the move (orders.moved_from, moved_shipped),
    # indexed by the number it left: the blanket it left counts what shipped
    MOVED_SHIPPED - 1: _migrate_to_moved_shipped,
    # the encoding a CSV file was read in (files.encoding): null for the files recorded before
    CSV_ENCODINGS - 1: _columns_of(CSV_ENCODINGS),
}
