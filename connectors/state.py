"""State store: what a workspace remembers between runs. Files seen, control numbers, outbound
documents, orders with their lines, history, reservations and pending 860s, findings, runs. It
applies the lifecycle's plans (schemas.lifecycle.Plan) and never decides anything about an order.

SQLite by default (one file per workspace), or PostgreSQL when given a postgresql:// URL (the
connection: connectors.state_pg). The SQL is written once and portable (ON CONFLICT, explicit id
sequences, `?` placeholders translated in one place, the Dialect; no SQLite-only functions).
The schema has a version (table `meta`); an older store is migrated when it is opened, in one
transaction (docs/state-store.md lists the tables and the migrations).

Control numbers are taken, documents rendered and stored, and the order changes they answer
written in one transaction: a crash before the commit uses no number; a crash after it leaves
pending documents that the next run delivers byte for byte. A number is never used twice and a
document key is never built twice. A document the caller's ``hold`` refuses (its values leave no
delimiter set free) is stored held: status 'held', no number, its plan kept as JSON, until a later
delivery releases it (release_document numbers and renders it).

Public API (what flows/ and later workstreams call):
    open:       StateStore(path or URL)     creates or migrates to SCHEMA_VERSION; .close(); .check()
                (before a run: reads back whole, can write; else StateError)
    writing:    transaction(), apply(plan, render=..., hold=...) -> Applied
                take_numbers(partner, kind, n), record_file, record_interchange, mark_delivered(_many),
                release_document, start_run, finish_run; mark() and apply(unchanged_since=) for a stage's
                optimistic check; write_version() (bumped by every write transaction but a lease's:
                connectors.store_versions hands a stage's tables to the next by it), raise_write_version
    recovery:   file_record, mark_disposed, close_crashed_runs, raise_number, record_sent, backup_to
    orders:     order, orders, find_orders, orders_for, orders_with_po, order_lines, lines_for,
                order_history, order_reservations, reservations_for, reservations (totals), pending_changes,
                search_orders (filters, paged), order_values (per partner), last_event
    shipping:   take_serials, take_invoice_numbers, recorded_cartons(_for), shipments, shipments_for_order,
                shipped_since, invoices, invoices_for_order, invoiced_shipment_pos, document_states, delivered_at
    documents:  document_exists, pending_documents, held_documents, documents, documents_for_order
    errors:     every sqlite3 and OS error leaves as state_error(): busy/locked is TransientError,
                anything else (read-only, full disk, damaged file) StateError (terminal)
    other:      files, file, files_of_run, journey, file_status, interchanges, findings, runs, run,
                numbers_used, last_number,
                schema_version, workspace_id
    a run:      run, findings_table(run_ids), files_of_runs, documents_of_runs, events_of_runs,
                lines_of_runs, reservations_of_runs (Arrow tables built a chunk of rows at a time)
                (what the run's reports are built from: flows.reports)
    finance:    (connectors.finance_store.FinanceTables) record_partner_acks, partner_acks,
                record_document_status, document_status(_for), finance_orders, finance_lines, events_of,
                sent_sets_of, partner_findings, stored_exceptions, exception_evidence, exception_history,
                exception_snapshot, reconciliations, save_reconciliation, change_exception
"""

from __future__ import annotations

import base64
import functools
import itertools
import json
import operator
import re
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence, Sized
from contextlib import contextmanager
from dataclasses import astuple, dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from connectors import store_versions
from connectors.finance_store import FinanceTables
from connectors.state_migrations import (
    ACK_TIMED_BY,
    AGED_READS,
    BILLED_WEIGHTS,
    BLANKET_REFS,
    BLANKET_REFS_UNREAD,
    BUYER_GS_IDS,
    CSV_ENCODINGS,
    FINDING_DETAIL,
    FINDING_SACS,
    HELD_LINES,
    ISA_IDS,
    LATEST,
    LEASES,
    LINE_MARKS,
    MOVED_SHIPPED,
    NET_WEIGHTS,
    ORDER_PARTIES,
    ORDER_TYPES,
    OUR_GS_IDS,
    RECORDED_AMOUNTS,
    RECOVERY,
    RESENDS,
    RETAKES,
    RETURNED_SERIALS,
    SERIALS,
    SHIPMENT_METHODS,
    SHIPPING,
    STORE_MARKS,
    SUBSTITUTES,
    TA1_ACKS,
    WORDS_AS_DATA,
    WRITE_VERSIONS,
)
from schemas.charsets import CHARSETS, widest
from schemas.errors import OrderBridgeError, StateError, TransientError
from schemas.findings import consequence_said, detail_values
from schemas.lifecycle import (
    BLANKET_REF_FIELDS,
    MOVED_FIELDS,
    ORDER_PARTY_FIELDS,
    Clock,
    EventKind,
    FindingRecord,
    HistoryEvent,
    LineRecord,
    LineState,
    OrderRecord,
    OrderState,
    OrderTransition,
    PersonDecision,
    Plan,
    PlannedDocument,
    PlannedSet,
    Reservation,
    StoredChange,
    decimal_text,
)
from schemas.order_keys import SEP
from schemas.shipment_records import (
    BatchLines,
    InvoicedLine,
    InvoiceRecord,
    RecordedCarton,
    ShipmentRecord,
    ShippedLine,
    ShippedLineBlock,
    ShippedLines,
)

if TYPE_CHECKING:  # pyarrow only where a run's report reads Arrow tables: `status` starts without it
    import pyarrow as pa

# --- the edge: sqlite3 and OS errors as ours -------------------------------------------------------------
_RETRYABLE = {sqlite3.SQLITE_BUSY: "the state store is locked by another process",
              sqlite3.SQLITE_LOCKED: "the state store is locked by another process"}
_PERMANENT = {
    sqlite3.SQLITE_READONLY: "the state store is read-only (the workspace is not writable)",
    sqlite3.SQLITE_PERM: "the state store is read-only (the workspace is not writable)",
    sqlite3.SQLITE_CANTOPEN: "the state store cannot be opened (missing folder, no permission, or a read-only "
                             "workspace)",
    sqlite3.SQLITE_FULL: "the disk holding the state store is full",
    sqlite3.SQLITE_IOERR: "the disk holding the state store reports an I/O error (full, failing or removed)",
    sqlite3.SQLITE_CORRUPT: "the state store is damaged (truncated or corrupt): restore it from a backup",
    sqlite3.SQLITE_NOTADB: "the state store is not a database (truncated or overwritten): restore it from a backup",
}


def state_error(exc: BaseException, path: str) -> OrderBridgeError:
    """A sqlite3 or OS error met at the state store as our error: a busy or locked database is
    transient (retried); anything else - read-only workspace, full disk, I/O error, damaged file,
    cannot open - is terminal: one clear error, never retried."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if primary in _RETRYABLE:
        return TransientError(_RETRYABLE[primary], path=path)
    if primary in _PERMANENT:
        return StateError(_PERMANENT[primary], path=path, sqlite=getattr(exc, "sqlite_errorname", ""))
    if isinstance(exc, OSError):
        return StateError(f"the state store's folder cannot be used: {exc.strerror or exc}", path=path)
    return StateError(f"the state store failed: {exc}", path=path)


@contextmanager
def _edge(path: str) -> Iterator[None]:
    """Every sqlite3 and OS call of the store runs inside this: their errors leave as state_error's."""
    try:
        yield
    except (sqlite3.Error, OSError) as exc:
        raise state_error(exc, path) from exc


SCHEMA_VERSION = LATEST  # 3: groups_in, 4: indices by run, 5: reconciliation, SHIPPING (6): fulfilment and billing,
#                         RECOVERY (7): recovery (files.disposed_at, runs.recovers), LEASES (8): leases,
#                         RETUNED_INDEXES (9): reservations without their (warehouse, sku) index, cartons by label,
#                         TA1_ACKS (10): partners' TA1s kept in partner_acks (acked_isa13, interchange_status/note)
#                         STORE_MARKS (11): each shipped line's store (shipment_lines.mark_for_store)
#                         NET_WEIGHTS (12): each shipped line's net weight (shipment_lines.net_weight / _unit)
#                         RECORDED_AMOUNTS (13): what a recorded 810 line billed (recorded_lines.amount)
#                         BILLED_WEIGHTS (14): the weight our 810 billed a line by (invoice_lines.net_weight / _unit)
#                         BUYER_GS_IDS (15): each order's GS02, its documents' GS03 (orders.gs02)
#                         SERIALS (16): each unit's serial shipped (shipped_serials)
#                         SUBSTITUTES (17): the item ordered on a line decided on its substitute
#                         (order_lines.ordered_sku)
#                         RETURNED_SERIALS (18): shipped serials ops marked returned (returned_serials)
#                         OUR_GS_IDS (19): which of our GS ids each order was sent to, its documents' GS02 (orders.gs03)
#                         ORDER_TYPES (21): each order's BEG02 (orders.order_type): memo orders ship without an 810
#                         RETAKES (20): a file's earlier takes ops asked to take again (file_takes)
#                         SHIPMENT_METHODS (22): each shipment's TD504 as its 856 wrote it (shipments.transport_method)
#                         WRITE_VERSIONS (23): the store's write version, bumped by every write transaction
#                         ISA_IDS (24): the interchange ids each order came from and was sent to, its documents'
#                         ISA07/ISA08 and ISA05/ISA06 (orders.isa05-isa08)
#                         ORDER_PARTIES (25): the buyer and ship-to each order's 850 named (orders.buyer_*,
#                         ship_to_*): a reused PO number told from a resend
#                         ACK_TIMED_BY (26): what timed a partner's answer's lateness (document_acks.ack_timed_by)
#                         RESENDS (27): documents ops sent again (resends: who, when, why, file, control numbers)
#                         FINDING_DETAIL (28): each finding's detail, read instead of its words (findings.shipment_id,
#                         qualifier, our_810s)
#                         RESEND_LOOKUPS (29): shipments by (partner, shipment_id): a resend's 856 by its shipment
#                         HELD_LINES (30): the order lines each shipment the ship stage held carries (held_lines)
#                         LOOKUP_INDEXES (31): shipments by tracking number and bill of lading, orders and shipped
#                         lines by store (orders_ship_to, shipment_lines_store: the store search's expressions)
#                         FINDING_SACS (32): the SACs a SAC_NOT_APPLIED finding names, as data (findings.sacs)
#                         WORDS_AS_DATA (33): state kept as words, made data: a duplicate file's move out of its inbox
#                         (findings.file_move, its consequence rendered from it); a line's marks among its codes as
#                         columns (order_lines.rejected_fraction, priced_per, unit_eaches, backordered_over)
#                         LINE_MARKS (34): the last marks a line kept among its codes as columns
#                         (order_lines.balance_cancelled, expired, cut_from); held orders' hold codes from the
#                         findings that held them; a file read in pieces' resume point (files.resume_*)
#                         AGED_READS (35): what a night read again as the store aged, by key: sent sets by GS06
#                         (document_sets_gs06), open orders' dates read once from their stored tables (order_dates)
#                         BLANKET_REFS (36): the contract and agreement each order's 850 named (orders.contract_number,
#                         agreement_number; REF*CT, REF*AH), indexed by partner: a blanket's releases naming it so
#                         REFS_BY_KEY (37): our 856s' and 810s' shipment ids and invoice numbers by their sets' keys
#                         (shipments_asn, invoices_doc_key): a partner's 997 names a few sets, not every one kept
#                         BLANKET_REFS_READ (38): the contract and agreement of the orders stored before BLANKET_REFS
#                         read once from their stored tables by the next night (meta BLANKET_REFS_UNREAD marks it due)
#                         MOVED_SHIPPED (39): what a release an 860 moved after part of it shipped keeps of the move
#                         (orders.moved_from, moved_shipped), indexed by the number it left (orders_moved_from)
#                         CSV_ENCODINGS (40): the encoding a CSV file was read in (files.encoding)
MAX_CONTROL = {"ISA": 999_999_999, "GS": 999_999_999, "ST": 999_999_999, "INVOICE": 9_999_999_999}
COMPANY = ""  # the `partner` of company-wide sequences (SSCC serials, invoice numbers)
UNENVELOPED = frozenset({"CSV"})  # documents stored as given (a CSV acknowledgment): no ISA/GS/ST numbers
CHUNK = 500  # keys per IN (...) list
_PUT = "mailbox-put:"  # meta key prefix: mailbox-put:<document id> (mailbox-put:resend:<resend id>) -> its file name


def _put_key(doc_id: int, resend: bool) -> str:
    return f"{_PUT}resend:{doc_id}" if resend else f"{_PUT}{doc_id}"


_CHARSET = "charset:"  # meta key prefix: charset:<partner>:<sha256> -> "ascii" | "utf-8" | "latin-1" | "cp1252"
ARRAY_CHUNK = 100_000  # PostgreSQL: keys per array parameter of an unsorted read or a DELETE (= ANY(...))
# a shipment's lineage, one confirmation file's own (every row of its shipments holds the same): bound per row, not
# written as literals, so that every file's INSERT is the same statement (prepared once a run, not once a file)
FILE_LINEAGE = ("source_file", "source_sha256", "isa13", "gs06")
BILLING_CHUNK = 5000  # POs per IN (...) list of the invoice stage's one read of order lines
FLAT_VALUES = 140_000  # values _insert_rows reads into Python at a time (decide's 7 bound columns: 20,000 lines)


# --- the store's write version (schema WRITE_VERSIONS): which tables a statement writes ------------------------------
# every statement of the store goes through StateStore._q / _many (or names its table itself: PostgreSQL's COPY and
# UPDATE ... FROM unnest); a transaction that wrote any table but `leases` bumps write_version before its COMMIT
_WRITES = re.compile(r"\b(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|DELETE\s+FROM|UPDATE(?!\s+SET\b))\s+(\w+)", re.IGNORECASE)
_SCHEMA_CHANGES = ("CREATE", "ALTER", "DROP")  # statements that change tables themselves (migrations): EVERY
EVERY = store_versions.EVERY  # a statement whose table is not known (a migration's DDL): every table written
LEASES_ONLY = frozenset({"leases"})  # a lease's renewal: not a write of the store's contents (no bump)


def _written(sql: str) -> frozenset[str]:
    """_statement_writes of ``sql``, read from its head where the head names the table (a multi-row INSERT's
    VALUES are most of its text: neither scanned nor hashed whole for each statement), else from all of it."""
    head = sql[:160]
    start = head.lstrip()[:6].upper()
    if start.startswith("SELECT"):
        return frozenset()
    if start.startswith("WITH"):
        return _statement_writes(sql)
    tables = _statement_writes(head)
    return tables if tables or len(sql) <= 160 else _statement_writes(sql)


@functools.lru_cache(maxsize=4096)
def _statement_writes(sql: str) -> frozenset[str]:
    """The tables a statement writes (INSERT INTO / UPDATE / DELETE FROM name them): none for a read
    (SELECT, a WITH ... SELECT), EVERY for a change of the tables themselves (CREATE, ALTER, DROP: migrations). On
    SQLite a statement that changed rows none of these named is caught at the COMMIT all the same (_bump)."""
    head = sql.lstrip()[:6].upper()
    if head.startswith("SELECT"):
        return frozenset()
    if head.startswith(_SCHEMA_CHANGES):
        return frozenset({EVERY})
    return frozenset(t.lower() for t in _WRITES.findall(sql))


class StateConflict(StateError):
    """The store holds something else than a plan expected (another run or person got there first);
    the plan's transaction was rolled back."""


def _lease_dict(row: tuple) -> dict:
    out = dict(zip(LEASE_COLUMNS, row, strict=True))
    out["pid"], out["released"] = int(out["pid"]), bool(out["released"])
    return out


# --- dialect: the one place that knows SQL differences ---------------------------------------------
@dataclass(frozen=True, slots=True)
class Dialect:
    name: str = "sqlite"
    param: str = "?"
    blob: str = "BLOB"
    begin: str = "BEGIN IMMEDIATE"  # a write transaction: one writer at a time, readers go on
    # a statement of many rows inside a write transaction: on SQLite OR FAIL, so no statement journal is
    # kept (a multi-row INSERT that may abort writes every page it touches to a temporary file first, to
    # undo itself alone: 184 MB for a 200,000-line decide); a failure still undoes the whole
    # transaction (transaction() rolls it back), which is all the store relies on
    insert_rows: str = "INSERT OR FAIL INTO"
    # a row's own address, where the database has one that stays while nothing writes the table: SQLite's
    # rowid. A line read outside a transaction is updated at it (StateStore._rewrite_changed: the table
    # searched alone, not its key's index too); "" where there is none (PostgreSQL's ctid moves on update)
    row_address: str = "rowid"

    def sql(self, text: str) -> str:
        return text if self.param == "?" else text.replace("%", "%%").replace("?", self.param)

    def one_list(self) -> str:
        """A condition on a column: its value is one of a list given as one parameter (list_value's)."""
        return " IN (SELECT value FROM json_each(?))" if self.name == "sqlite" else " = ANY(?::text[])"

    def list_value(self, values: Sequence[str]):
        """The parameter of one_list's condition for ``values`` (text): a JSON array on SQLite."""
        return json.dumps(list(values)) if self.name == "sqlite" else list(values)

    def tables_query(self) -> str:
        if self.name == "sqlite":
            return "SELECT name FROM sqlite_master WHERE type='table'"
        return "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"

    def columns_query(self) -> str:
        """The column names of one table (its name the one parameter)."""
        if self.name == "sqlite":
            return "SELECT name FROM pragma_table_info(?)"
        return ("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
                " AND table_name = ?")


SQLITE = Dialect()


def is_url(target: object) -> bool:
    """A postgresql:// (or postgres://) URL: the store is on PostgreSQL (connectors.state_pg)."""
    return str(target).startswith(("postgresql://", "postgres://"))

# --- schema (version 4) ------------------------------------------------------------------------------
TABLES = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sequences (name TEXT PRIMARY KEY, last BIGINT NOT NULL);
CREATE TABLE runs (
    run_id TEXT PRIMARY KEY, kind TEXT NOT NULL, clock TEXT NOT NULL, started_at TEXT NOT NULL,
    finished_at TEXT, status TEXT NOT NULL, summary TEXT, recovers TEXT);
CREATE TABLE files (
    partner TEXT NOT NULL, sha256 TEXT NOT NULL, name TEXT NOT NULL, size BIGINT NOT NULL,
    received_at TEXT NOT NULL, status TEXT NOT NULL, archive_path TEXT, run_id TEXT,
    error_count INTEGER DEFAULT 0, disposed_at TEXT, resume_at BIGINT, resume_segments BIGINT, resume_part INTEGER,
    resume_batches INTEGER, encoding TEXT, PRIMARY KEY (partner, sha256));
CREATE TABLE interchanges_in (
    partner TEXT NOT NULL, sender TEXT NOT NULL, isa13 TEXT NOT NULL, sha256 TEXT NOT NULL,
    PRIMARY KEY (partner, sender, isa13));
CREATE TABLE groups_in (
    partner TEXT NOT NULL, gs01 TEXT NOT NULL, gs02 TEXT NOT NULL, gs03 TEXT NOT NULL, gs06 TEXT NOT NULL,
    sha256 TEXT NOT NULL, PRIMARY KEY (partner, gs01, gs02, gs03, gs06));
CREATE TABLE control_numbers (
    partner TEXT NOT NULL, kind TEXT NOT NULL, last BIGINT NOT NULL, PRIMARY KEY (partner, kind));
CREATE TABLE documents (
    id BIGINT PRIMARY KEY, partner TEXT NOT NULL, doc_type TEXT NOT NULL, file_name TEXT NOT NULL,
    isa13 TEXT, gs06 TEXT, content {blob} NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL,
    delivered_at TEXT, run_id TEXT, UNIQUE (partner, file_name));
CREATE TABLE document_sets (
    partner TEXT NOT NULL, doc_key TEXT NOT NULL, document_id BIGINT NOT NULL REFERENCES documents (id),
    position INTEGER NOT NULL, set_id TEXT NOT NULL, st02 TEXT, gs06 TEXT, po_number TEXT, source_sha256 TEXT,
    answers_isa13 TEXT, answers_gs06 TEXT, PRIMARY KEY (partner, doc_key));
CREATE TABLE orders (
    partner TEXT NOT NULL, po_number TEXT NOT NULL, state TEXT NOT NULL, revision INTEGER NOT NULL,
    answered_revision INTEGER NOT NULL, order_ref TEXT, lines_key TEXT, source_file TEXT, source_sha256 TEXT,
    isa13 TEXT, gs06 TEXT, st02 TEXT, arrival BIGINT, purpose TEXT, x12_version TEXT, po_date TEXT,
    currency TEXT, value TEXT, ack_type TEXT, answered_with TEXT, hold_codes TEXT, hold_reasons TEXT,
    codes TEXT, decision TEXT, decided_by TEXT, decided_at TEXT, decision_note TEXT, changed_lines TEXT,
    change_file TEXT, line_count INTEGER, received_at TEXT, updated_at TEXT, run_id TEXT, gs02 TEXT, gs03 TEXT,
    order_type TEXT, isa05 TEXT, isa06 TEXT, isa07 TEXT, isa08 TEXT, buyer_name TEXT, buyer_id_qualifier TEXT,
    buyer_id TEXT, ship_to_name TEXT, ship_to_id_qualifier TEXT, ship_to_id TEXT, contract_number TEXT,
    agreement_number TEXT, moved_from TEXT, moved_shipped TEXT, PRIMARY KEY (partner, po_number));
CREATE TABLE order_lines (
    partner TEXT NOT NULL, po_number TEXT NOT NULL, line_number INTEGER NOT NULL, line_id TEXT, sku TEXT,
    state TEXT NOT NULL, ack TEXT, ordered TEXT, unit TEXT, unit_price TEXT, ack_price TEXT,
    allocated INTEGER, backordered INTEGER, rejected INTEGER, promised_date TEXT, warehouses TEXT,
    reason TEXT, codes TEXT, revision INTEGER, run_id TEXT, shipped TEXT, invoiced TEXT, ordered_sku TEXT,
    rejected_fraction TEXT, priced_per TEXT, unit_eaches INTEGER, backordered_over TEXT,
    balance_cancelled TEXT, expired TEXT, cut_from INTEGER,
    PRIMARY KEY (partner, po_number, line_number));
CREATE TABLE order_events (
    seq BIGINT PRIMARY KEY, partner TEXT NOT NULL, po_number TEXT NOT NULL, at TEXT NOT NULL,
    clock TEXT NOT NULL, event TEXT NOT NULL, from_state TEXT, to_state TEXT NOT NULL, revision INTEGER,
    actor TEXT NOT NULL, note TEXT, run_id TEXT, document_id BIGINT);
CREATE TABLE reservations (
    partner TEXT NOT NULL, po_number TEXT NOT NULL, line_number INTEGER NOT NULL, warehouse TEXT NOT NULL,
    sku TEXT NOT NULL, quantity BIGINT NOT NULL, run_id TEXT,
    PRIMARY KEY (partner, po_number, line_number, warehouse));
CREATE TABLE pending_changes (
    id BIGINT PRIMARY KEY, partner TEXT NOT NULL, po_number TEXT NOT NULL, change_ref TEXT NOT NULL,
    store_key TEXT NOT NULL, source_file TEXT, received_at TEXT NOT NULL, status TEXT NOT NULL,
    base_key TEXT, revision INTEGER, UNIQUE (partner, store_key, change_ref));
CREATE TABLE findings (
    id BIGINT PRIMARY KEY, run_id TEXT, stage TEXT, partner TEXT, po_number TEXT, code TEXT NOT NULL,
    severity TEXT NOT NULL, message TEXT, file TEXT, isa13 TEXT, gs06 TEXT, st02 TEXT, segment_id TEXT,
    segment_position INTEGER, file_segment INTEGER, element TEXT, value TEXT, line_number INTEGER,
    loop_id TEXT, consequence TEXT, row_number INTEGER, column_name TEXT, shipment_id TEXT, qualifier TEXT,
    our_810s TEXT, sacs TEXT, file_move TEXT);
CREATE TABLE shipments (
    warehouse TEXT NOT NULL, shipment_id TEXT NOT NULL, partner TEXT NOT NULL, stock_warehouse TEXT,
    source_kind TEXT, source_file TEXT, source_sha256 TEXT, isa13 TEXT, gs06 TEXT, st02 TEXT,
    ship_date TEXT NOT NULL, ship_time TEXT, carrier_scac TEXT, service_level TEXT, tracking_number TEXT,
    bill_of_lading TEXT, departed_at TEXT, asn_due_at TEXT, asn_doc_key TEXT, asn_at TEXT, late INTEGER,
    billing TEXT NOT NULL, run_id TEXT, transport_method TEXT, PRIMARY KEY (warehouse, shipment_id));
CREATE TABLE cartons (
    warehouse TEXT NOT NULL, shipment_id TEXT NOT NULL, level TEXT NOT NULL, label TEXT NOT NULL,
    sscc TEXT NOT NULL, serial BIGINT, pallet TEXT, po_number TEXT, weight TEXT, weight_unit TEXT,
    PRIMARY KEY (warehouse, shipment_id, level, label), UNIQUE (sscc));
CREATE TABLE shipment_lines (
    warehouse TEXT NOT NULL, shipment_id TEXT NOT NULL, position INTEGER NOT NULL, partner TEXT NOT NULL,
    po_number TEXT NOT NULL, line_number INTEGER NOT NULL, line_id TEXT, sku TEXT, quantity TEXT NOT NULL,
    unit TEXT, carton TEXT, pallet TEXT, row_number INTEGER, file_segment INTEGER, mark_for_store TEXT,
    net_weight TEXT, net_weight_unit TEXT,
    PRIMARY KEY (warehouse, shipment_id, position));
CREATE TABLE invoices (
    invoice_number TEXT PRIMARY KEY, partner TEXT NOT NULL, po_number TEXT NOT NULL, invoice_date TEXT NOT NULL,
    warehouse TEXT, shipment_id TEXT, currency TEXT, merchandise TEXT NOT NULL, charges TEXT NOT NULL,
    total TEXT NOT NULL, doc_key TEXT NOT NULL, created_at TEXT, run_id TEXT);
CREATE TABLE invoice_lines (
    invoice_number TEXT NOT NULL, line_number INTEGER NOT NULL, line_id TEXT, quantity TEXT NOT NULL,
    unit TEXT, unit_price TEXT NOT NULL, amount TEXT NOT NULL, net_weight TEXT, net_weight_unit TEXT,
    PRIMARY KEY (invoice_number, line_number));
CREATE TABLE shipped_serials (
    serial TEXT NOT NULL, sku TEXT NOT NULL, warehouse TEXT NOT NULL, shipment_id TEXT NOT NULL, partner TEXT NOT NULL,
    po_number TEXT NOT NULL, line_id TEXT, run_id TEXT, PRIMARY KEY (serial, sku));
CREATE TABLE returned_serials (
    serial TEXT NOT NULL, sku TEXT NOT NULL, warehouse TEXT NOT NULL, shipment_id TEXT NOT NULL, partner TEXT NOT NULL,
    po_number TEXT NOT NULL, line_id TEXT, run_id TEXT, returned_at TEXT NOT NULL, returned_by TEXT NOT NULL,
    reason TEXT NOT NULL, PRIMARY KEY (serial, sku, warehouse, shipment_id));
CREATE TABLE file_takes (
    partner TEXT NOT NULL, sha256 TEXT NOT NULL, take INTEGER NOT NULL, name TEXT NOT NULL, size BIGINT NOT NULL,
    received_at TEXT NOT NULL, status TEXT NOT NULL, archive_path TEXT, run_id TEXT, error_count INTEGER,
    disposed_at TEXT, asked_at TEXT NOT NULL, asked_by TEXT NOT NULL, note TEXT NOT NULL,
    PRIMARY KEY (partner, sha256, take));
CREATE TABLE resends (
    id BIGINT PRIMARY KEY, partner TEXT NOT NULL, document_id BIGINT NOT NULL REFERENCES documents (id),
    doc_type TEXT NOT NULL, renumbered INTEGER NOT NULL, file_name TEXT NOT NULL, folder TEXT NOT NULL,
    isa13 TEXT, gs06 TEXT, st02s TEXT, content {blob} NOT NULL, status TEXT NOT NULL, asked_by TEXT NOT NULL,
    asked_at TEXT NOT NULL, note TEXT NOT NULL, delivered_at TEXT, run_id TEXT);
CREATE TABLE held_lines (
    run_id TEXT NOT NULL, partner TEXT NOT NULL, shipment_id TEXT NOT NULL, po_number TEXT NOT NULL,
    line_number INTEGER);
CREATE TABLE leases (
    name TEXT PRIMARY KEY, holder_id TEXT NOT NULL, command TEXT NOT NULL, host TEXT NOT NULL, pid INTEGER NOT NULL,
    run_id TEXT NOT NULL, note TEXT NOT NULL, acquired_at TEXT NOT NULL, renewed_at TEXT NOT NULL,
    expires_at TEXT NOT NULL, released INTEGER NOT NULL);
CREATE TABLE write_version (one INTEGER PRIMARY KEY, version BIGINT NOT NULL);
CREATE TABLE order_dates (
    partner TEXT NOT NULL, po_number TEXT NOT NULL, lines_key TEXT NOT NULL, position INTEGER NOT NULL,
    kind TEXT NOT NULL, order_ref TEXT, line_number INTEGER, cancel_after TEXT, do_not_deliver_after TEXT,
    ship_no_later TEXT, requested_ship_date TEXT, ship_not_before TEXT, sales_requirement TEXT, ship_from_name TEXT,
    ship_from_id_qualifier TEXT, ship_from_id TEXT, PRIMARY KEY (partner, po_number, lines_key, position));
"""

# a finding's detail (schemas.findings.Detail) as the findings table keeps it: written with FINDING_COLUMNS, read by
# those who act on it (connectors.finance_store); null where the finding has none
FINDING_DETAIL_COLUMNS = ("shipment_id", "qualifier", "our_810s")
# LINE_MARKS: a file read in pieces (flows.intake, status "receiving"): where to go on (FileResume's fields)
RESUME_COLUMNS = (("resume_at", "BIGINT"), ("resume_segments", "BIGINT"), ("resume_part", "INTEGER"),
                  ("resume_batches", "INTEGER"))
FINDING_SACS_COLUMNS = ("sacs",)  # FINDING_SACS: a SAC_NOT_APPLIED finding's SACs (schemas.findings.sacs_text)
# WORDS_AS_DATA: a taken file's move out of its inbox a finding about it says (schemas.findings.MOVE_SAID: refused,
# moved; null when nothing), set after the finding is recorded (StateStore.mark_file_move), never by add_findings
FILE_MOVE_COLUMNS = ("file_move",)
# tables and columns each schema version added (connectors.state_migrations creates them in its steps)
ADDED_IN = {SHIPPING: ("shipments", "cartons", "shipment_lines", "invoices", "invoice_lines"), LEASES: ("leases",),
            SERIALS: ("shipped_serials",), RETURNED_SERIALS: ("returned_serials",),
            RETAKES: ("file_takes",), WRITE_VERSIONS: ("write_version",), RESENDS: ("resends",),
            HELD_LINES: ("held_lines",), AGED_READS: ("order_dates",)}
# a lease row (connectors.lease): times are UTC ISO strings of one fixed width, so text order is time order
LEASE_COLUMNS = ("name", "holder_id", "command", "host", "pid", "run_id", "note", "acquired_at", "renewed_at",
                 "expires_at", "released")
COLUMNS_ADDED_IN = {SHIPPING: (("order_lines", "shipped", "TEXT"), ("order_lines", "invoiced", "TEXT"),
                              ("findings", "row_number", "INTEGER"), ("findings", "column_name", "TEXT")),
                    RECOVERY: (("files", "disposed_at", "TEXT"), ("runs", "recovers", "TEXT")),
                    # a partner's TA1 for our interchange kept beside its 997s (TA101, TA104, TA105)
                    TA1_ACKS: (("partner_acks", "acked_isa13", "TEXT"), ("partner_acks", "interchange_status", "TEXT"),
                               ("partner_acks", "interchange_note", "TEXT")),
                    # the store a shipped line's carton was marked for (a store-level partner's SDQ store)
                    STORE_MARKS: (("shipment_lines", "mark_for_store", "TEXT"),),
                    # the net weight of a shipped line's units (a catch-weight line is billed by it) and its unit
                    NET_WEIGHTS: (("shipment_lines", "net_weight", "TEXT"),
                                  ("shipment_lines", "net_weight_unit", "TEXT")),
                    # what a recorded 810 line billed (an IT1 billed by weight: IT102 x IT104)
                    RECORDED_AMOUNTS: (("recorded_lines", "amount", "TEXT"),),
                    # the net weight a catch-weight line of our 810 was billed by, and its unit (the price's)
                    BILLED_WEIGHTS: (("invoice_lines", "net_weight", "TEXT"), ("invoice_lines", "net_weight_unit",
                                                                               "TEXT")),
                    BUYER_GS_IDS: (("orders", "gs02", "TEXT"),),
                    # the item the buyer ordered on a line decided on its substitute (status, 856/810, reconciliation)
                    SUBSTITUTES: (("order_lines", "ordered_sku", "TEXT"),),
                    # which of our GS ids each order was sent to (GS03): its documents' GS02
                    OUR_GS_IDS: (("orders", "gs03", "TEXT"),),
                    # each order's BEG02: a memo type of the partner's ships without an 810
                    ORDER_TYPES: (("orders", "order_type", "TEXT"),),
                    # each shipment's TD504 as its 856 wrote it (the warehouse's own W2701 kept): the 810's CAD01
                    SHIPMENT_METHODS: (("shipments", "transport_method", "TEXT"),),
                    # the interchange ids (ISA05-ISA08) each order came from and was sent to: a partner sending from
                    # several ids ([x12] their_ids) or to several of ours (our_ids) is answered at the one it used
                    ISA_IDS: tuple(("orders", column, "TEXT") for column in ("isa05", "isa06", "isa07", "isa08")),
                    # the buyer and ship-to each order's 850 named (N1*BY, N1*ST: N102-N104): an 850 arriving again
                    # under its PO number for another of them is another order, not a resend (ORDER_DUPLICATE)
                    ORDER_PARTIES: tuple(("orders", column, "TEXT") for column in ORDER_PARTY_FIELDS),
                    # what timed a partner answer's lateness: "written" (its own clock) or "picked_up" (ours)
                    ACK_TIMED_BY: (("document_acks", "ack_timed_by", "TEXT"),),
                    # a finding's detail (schemas.findings.Detail): what its readers read instead of its words
                    FINDING_DETAIL: tuple(("findings", column, "TEXT") for column in FINDING_DETAIL_COLUMNS),
                    # the SACs a SAC_NOT_APPLIED finding names, as data (schemas.findings.Detail.sacs, sacs_more)
                    FINDING_SACS: tuple(("findings", column, "TEXT") for column in FINDING_SACS_COLUMNS),
                    # a duplicate file's move out of its inbox, refused or made (its consequence rendered from it)
                    WORDS_AS_DATA: (*(("findings", column, "TEXT") for column in FILE_MOVE_COLUMNS),
                                 # the part of a unit a line in a fraction of its unit rejected beyond its whole units
                                 ("order_lines", "rejected_fraction", "TEXT"),
                                 # how many of its units a line's price is the price of (1: null)
                                 ("order_lines", "priced_per", "TEXT"),
                                 # the eaches a line priced per each holds in its unit (a CA of 12), when a pack
                                 ("order_lines", "unit_eaches", "INTEGER"),
                                 # what of its last backordered unit a line in a measure does not want (2.5 LB: 3, 0.5)
                                 ("order_lines", "backordered_over", "TEXT")),
                    # the units of a line's balance cancelled after shipment, of its backorder cancelled past the
                    # order's last date, and its promise before an 860 cut it below what shipped (LineRecord)
                    LINE_MARKS: (("order_lines", "balance_cancelled", "TEXT"), ("order_lines", "expired", "TEXT"),
                                 ("order_lines", "cut_from", "INTEGER"),
                                 # a file read in pieces, until its last piece: where the next one starts (its
                                 # byte offset, the file's segments before it), the pieces and batches stored
                                 *(("files", column, kind) for column, kind in RESUME_COLUMNS)),
                    # the contract and agreement each order's 850 named (REF*CT, REF*AH): null for those before
                    BLANKET_REFS: tuple(("orders", column, "TEXT") for column in BLANKET_REF_FIELDS),
                    # the number a release an 860 moved after part of it shipped left, and what had shipped then
                    MOVED_SHIPPED: tuple(("orders", column, "TEXT") for column in MOVED_FIELDS),
                    # the encoding a CSV file was read in ("cp1252": a UTF-8 layout's file read as Windows-1252)
                    CSV_ENCODINGS: (("files", "encoding", "TEXT"),)}

INDEXES = """
CREATE INDEX orders_po ON orders (po_number);
CREATE INDEX orders_ship_to ON orders (UPPER(LTRIM(ship_to_id, '0')));
CREATE INDEX orders_contract ON orders (partner, order_type, contract_number);
CREATE INDEX orders_agreement ON orders (partner, order_type, agreement_number);
CREATE INDEX orders_moved_from ON orders (partner, moved_from);
CREATE INDEX orders_state ON orders (state, partner);
CREATE INDEX orders_received ON orders (received_at);
CREATE INDEX orders_updated ON orders (updated_at);
CREATE INDEX order_lines_sku ON order_lines (sku);
CREATE INDEX order_events_order ON order_events (partner, po_number, seq);
CREATE INDEX document_sets_po ON document_sets (partner, po_number);
CREATE INDEX document_sets_source ON document_sets (source_sha256);
CREATE INDEX document_sets_document ON document_sets (document_id);
CREATE INDEX documents_status ON documents (partner, status);
CREATE INDEX pending_changes_status ON pending_changes (status, partner, po_number);
CREATE INDEX findings_run ON findings (run_id);
CREATE INDEX findings_order ON findings (partner, po_number);
CREATE INDEX findings_code ON findings (code);
CREATE INDEX runs_started ON runs (started_at);
CREATE INDEX shipments_partner ON shipments (partner, ship_date);
CREATE INDEX shipments_billing ON shipments (billing, partner);
CREATE INDEX shipments_shipment ON shipments (partner, shipment_id);
CREATE INDEX shipments_tracking ON shipments (tracking_number);
CREATE INDEX shipments_bol ON shipments (bill_of_lading);
CREATE INDEX shipment_lines_po ON shipment_lines (partner, po_number);
CREATE INDEX shipment_lines_store ON shipment_lines (UPPER(LTRIM(mark_for_store, '0')));
CREATE INDEX cartons_label ON cartons (label);
CREATE INDEX shipped_serials_po ON shipped_serials (partner, po_number);
CREATE INDEX returned_serials_po ON returned_serials (partner, po_number);
CREATE INDEX invoices_po ON invoices (partner, po_number);
CREATE INDEX invoices_shipment ON invoices (warehouse, shipment_id);
CREATE INDEX documents_run ON documents (run_id);
CREATE INDEX order_events_run ON order_events (run_id, event);
CREATE INDEX files_run ON files (run_id);
CREATE INDEX file_takes_run ON file_takes (run_id);
CREATE INDEX resends_document ON resends (partner, document_id);
CREATE INDEX held_lines_shipment ON held_lines (shipment_id, run_id);
CREATE INDEX order_lines_run ON order_lines (run_id);
CREATE INDEX document_sets_gs06 ON document_sets (partner, gs06);
CREATE INDEX shipments_asn ON shipments (partner, asn_doc_key);
CREATE INDEX invoices_doc_key ON invoices (partner, doc_key);
"""

# Reconciliation for finance (schema version 5, docs/reconciliation.md): partners' 997/999s for our
# documents, the verdict per sent set, and the exceptions with their evidence, state history and
# per-run snapshots. Read and written by connectors.finance_store (FinanceTables, mixed into StateStore).
FINANCE_TABLES = """
CREATE TABLE partner_acks (
    partner TEXT NOT NULL, source_sha256 TEXT NOT NULL, file_segment INTEGER NOT NULL, ack_type TEXT NOT NULL,
    ack_ref TEXT NOT NULL, ack_version TEXT, acked_functional_id TEXT, acked_gs06 TEXT, acked_version TEXT,
    acked_set_id TEXT, acked_st02 TEXT, acked_implementation TEXT, set_status TEXT, set_error_codes TEXT,
    group_status TEXT, group_error_codes TEXT, sets_included INTEGER, sets_received INTEGER, sets_accepted INTEGER,
    errors TEXT, reasons TEXT, ack_created_at TEXT, received_at TEXT, source_file TEXT, isa13 TEXT, gs06 TEXT,
    st02 TEXT, segment_position INTEGER, run_id TEXT, acked_isa13 TEXT, interchange_status TEXT,
    interchange_note TEXT, PRIMARY KEY (partner, source_sha256, file_segment));
CREATE TABLE document_acks (
    partner TEXT NOT NULL, isa13 TEXT NOT NULL, gs06 TEXT NOT NULL, st02 TEXT NOT NULL, doc_type TEXT NOT NULL,
    functional_id TEXT, sent_at TEXT, file TEXT, po_number TEXT, document_ref TEXT, status TEXT NOT NULL,
    due_at TEXT, ack_type TEXT, set_status TEXT, group_status TEXT, acked_at TEXT, minutes_to_ack BIGINT,
    ack_late INTEGER, reasons TEXT, ack_file TEXT, ack_isa13 TEXT, ack_gs06 TEXT, ack_st02 TEXT, as_of TEXT NOT NULL,
    run_id TEXT, ack_timed_by TEXT, PRIMARY KEY (partner, isa13, gs06, st02));
CREATE TABLE exceptions (
    exception_id TEXT PRIMARY KEY, type TEXT NOT NULL, partner TEXT NOT NULL, po_number TEXT NOT NULL,
    line_number INTEGER, line_id TEXT, sku TEXT, document_ref TEXT, message TEXT NOT NULL, ordered_quantity TEXT,
    ordered_price TEXT, ack_code TEXT, acknowledged_quantity TEXT, acknowledged_price TEXT, promised_date TEXT,
    shipped_quantity TEXT, invoiced_quantity TEXT, invoiced_price TEXT, cancelled_at TEXT, document_status TEXT,
    partner_reasons TEXT, quantity_at_risk TEXT, price_at_risk TEXT, amount_at_risk TEXT NOT NULL, currency TEXT,
    since TEXT NOT NULL, age_days INTEGER NOT NULL, state TEXT NOT NULL, state_by TEXT, state_note TEXT,
    state_at TEXT, active INTEGER NOT NULL, first_run TEXT, last_run TEXT, first_found_at TEXT NOT NULL,
    last_found_at TEXT NOT NULL, cleared_at TEXT);
CREATE TABLE exception_evidence (
    exception_id TEXT NOT NULL, position INTEGER NOT NULL, role TEXT NOT NULL, doc_type TEXT, document_ref TEXT,
    file TEXT, isa13 TEXT, gs06 TEXT, st02 TEXT, at TEXT, code TEXT, quantity TEXT, unit_price TEXT,
    PRIMARY KEY (exception_id, position));
CREATE TABLE exception_history (
    seq BIGINT PRIMARY KEY, exception_id TEXT NOT NULL, action TEXT NOT NULL, from_state TEXT,
    to_state TEXT NOT NULL, actor TEXT NOT NULL, note TEXT, at TEXT NOT NULL, clock TEXT NOT NULL, run_id TEXT);
CREATE TABLE reconciliations (
    run_id TEXT PRIMARY KEY, as_of TEXT NOT NULL, lines BIGINT NOT NULL, exceptions BIGINT NOT NULL,
    unresolved BIGINT NOT NULL, amount_at_risk TEXT NOT NULL, new_exceptions BIGINT NOT NULL,
    cleared_exceptions BIGINT NOT NULL, documents BIGINT NOT NULL, rejected_documents BIGINT NOT NULL,
    overdue_documents BIGINT NOT NULL);
CREATE TABLE recorded_lines (
    partner TEXT NOT NULL, sha256 TEXT NOT NULL, position BIGINT NOT NULL, doc_type TEXT NOT NULL,
    document_ref TEXT NOT NULL, doc_date TEXT, shipped_at TEXT, shipment_id TEXT, po_number TEXT NOT NULL,
    line_id TEXT, quantity TEXT, unit TEXT, unit_price TEXT, expected_delivery_at TEXT, sent_at TEXT,
    file TEXT NOT NULL, isa13 TEXT, gs06 TEXT, st02 TEXT, recorded_at TEXT NOT NULL, recorded_by TEXT NOT NULL,
    note TEXT, amount TEXT, PRIMARY KEY (partner, sha256, position));
CREATE TABLE exception_snapshots (
    run_id TEXT NOT NULL, exception_id TEXT NOT NULL, type TEXT NOT NULL, partner TEXT NOT NULL,
    po_number TEXT NOT NULL, line_number INTEGER, amount_at_risk TEXT NOT NULL, state TEXT NOT NULL,
    PRIMARY KEY (run_id, exception_id));
"""
FINANCE_INDEXES = """
CREATE INDEX partner_acks_acked ON partner_acks (partner, acked_functional_id, acked_gs06);
CREATE INDEX document_acks_status ON document_acks (status, partner);
CREATE INDEX exceptions_state ON exceptions (active, state, partner);
CREATE INDEX exceptions_order ON exceptions (partner, po_number);
CREATE INDEX exception_history_exception ON exception_history (exception_id, seq);
CREATE INDEX reconciliations_as_of ON reconciliations (as_of);
CREATE INDEX recorded_lines_po ON recorded_lines (partner, po_number);
"""
TABLES += FINANCE_TABLES
INDEXES += FINANCE_INDEXES

ORDER_COLUMNS = ("partner", "po_number", "state", "revision", "answered_revision", "order_ref", "lines_key",
                 "source_file", "source_sha256", "isa13", "gs06", "st02", "arrival", "purpose", "x12_version",
                 "po_date", "currency", "value", "ack_type", "answered_with", "hold_codes", "hold_reasons", "codes",
                 "decision", "decided_by", "decided_at", "decision_note", "changed_lines", "change_file",
                 "line_count", "received_at", "updated_at", "run_id", "gs02", "gs03", "order_type", "isa05", "isa06",
                 "isa07", "isa08", *ORDER_PARTY_FIELDS, *BLANKET_REF_FIELDS, *MOVED_FIELDS)
_ARRIVAL = ORDER_COLUMNS.index("arrival")
LINE_COLUMNS = ("partner", "po_number", "line_number", "line_id", "sku", "state", "ack", "ordered", "unit",
                "unit_price", "ack_price", "allocated", "backordered", "rejected", "promised_date", "warehouses",
                "reason", "codes", "revision", "run_id", "shipped", "invoiced", "ordered_sku", "rejected_fraction",
                "priced_per", "unit_eaches", "backordered_over", "balance_cancelled", "expired", "cut_from")
# an order_dates row (StateStore.keep_order_dates): "order" (a row of the order's stored ORDERS) or "line" (of its
# ORDER_LINES that carries a date of its own), and the columns the invoice stage reads of each (flows.shipments)
ORDER_DATE_COLUMNS = ("kind", "order_ref", "line_number", "cancel_after", "do_not_deliver_after", "ship_no_later",
                      "requested_ship_date", "ship_not_before", "sales_requirement", "ship_from_name",
                      "ship_from_id_qualifier", "ship_from_id")
_ORDER_DATES_DATED = frozenset(ORDER_DATE_COLUMNS[3:8])  # kept as ISO text, read back as datetime.date


def _order_date_value(column: str, value: object) -> object:
    """An order_dates column's value as kept: a date as its ISO text, the rest as they are."""
    return value.isoformat() if column in _ORDER_DATES_DATED and value is not None else value


def _order_date_row(values: Sequence) -> dict:
    """An order_dates row (ORDER_DATE_COLUMNS' values as kept) as the dict keep_order_dates was given."""
    return {c: date.fromisoformat(v) if c in _ORDER_DATES_DATED and v is not None else v
            for c, v in zip(ORDER_DATE_COLUMNS, values, strict=True)}


RESERVATION_COLUMNS = ("partner", "po_number", "line_number", "warehouse", "sku", "quantity", "run_id")
RUN_EVENT_COLUMNS = ("seq", "partner", "po_number", "event", "from_state", "to_state", "actor", "run_id")
EVENT_COLUMNS = ("seq", "partner", "po_number", "at", "clock", "event", "from_state", "to_state", "revision",
                 "actor", "note", "run_id", "document_id")
FINDING_COLUMNS = ("id", "run_id", "stage", "partner", "po_number", "code", "severity", "message", "file", "isa13",
                   "gs06", "st02", "segment_id", "segment_position", "file_segment", "element", "value",
                   "line_number", "loop_id", "consequence", "row_number", "column_name")
CHANGE_COLUMNS = ("id", "partner", "po_number", "change_ref", "store_key", "source_file", "received_at", "status",
                  "base_key", "revision")
SHIPMENT_COLUMNS = ("warehouse", "shipment_id", "partner", "stock_warehouse", "source_kind", "source_file",
                    "source_sha256", "isa13", "gs06", "st02", "ship_date", "ship_time", "carrier_scac",
                    "service_level", "tracking_number", "bill_of_lading", "departed_at", "asn_due_at",
                    "asn_doc_key", "asn_at", "late", "billing", "run_id", "transport_method")
CARTON_COLUMNS = ("warehouse", "shipment_id", "level", "label", "sscc", "serial", "pallet", "po_number", "weight",
                  "weight_unit")
SHIPPED_LINE_COLUMNS = ("warehouse", "shipment_id", "position", "partner", "po_number", "line_number", "line_id",
                        "sku", "quantity", "unit", "carton", "pallet", "row_number", "file_segment", "mark_for_store",
                        "net_weight", "net_weight_unit")
INVOICE_COLUMNS = ("invoice_number", "partner", "po_number", "invoice_date", "warehouse", "shipment_id", "currency",
                   "merchandise", "charges", "total", "doc_key", "created_at", "run_id")
INVOICE_LINE_COLUMNS = ("invoice_number", "line_number", "line_id", "quantity", "unit", "unit_price", "amount",
                        "net_weight", "net_weight_unit")
# what billing reads of an order line (StateStore.billing_lines; engine.lifecycle.billing.billed_lines)
BILLING_LINE_COLUMNS = ("partner", "po_number", "line_number", "line_id", "state", "unit", "unit_price", "ack_price",
                        "allocated", "backordered", "shipped", "invoiced", "codes", "ordered_sku", "priced_per",
                        "unit_eaches", "ordered", "rejected", "rejected_fraction", "backordered_over")


@dataclass(frozen=True, slots=True)
class FileResume:
    """Where a file read in pieces goes on (files.resume_*, version LINE_MARKS; before, words in its status,
    "receiving:OFFSET:SEGMENTS:PART:ERRORS[:BATCHES]"): the byte offset the next piece starts at, the file's
    segments before it, the pieces stored, the batches stored of an interchange read in batches."""

    at: int
    segments: int
    part: int
    batches: int = 0


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """One outbound interchange as stored; doc_key/st02/po_number summarise its sets."""

    id: int
    partner: str
    doc_type: str
    doc_key: str
    file_name: str
    isa13: str
    gs06: str
    st02: str
    content: bytes
    status: str
    source_sha256: str
    po_number: str
    created_at: str = ""
    delivered_at: str = ""
    run_id: str = ""


@dataclass(frozen=True, slots=True)
class PendingFile:
    """A pending document as delivery needs it: its file name and bytes (pending_files)."""

    id: int
    doc_type: str
    file_name: str
    isa13: str
    content: bytes


@dataclass(slots=True)
class Applied:
    """What apply() did: documents stored per (partner, doc_type), their ids by set key, and the
    findings of documents stored held (unnumbered) instead."""

    documents: Counter = field(default_factory=Counter)
    document_ids: dict[tuple[str, str], int] = field(default_factory=dict)  # (partner, doc_key) -> id
    held: list[FindingRecord] = field(default_factory=list)
    # (sequence, partner, [(kind, last before, last now)]): a continuing profile's counters moved past those of the
    # profile whose documents it numbers ([continues], StateStore.numbers_past), said as CONTROL_NUMBERS_SKIPPED
    skipped: list[tuple[str, str, list[tuple[str, int, int]]]] = field(default_factory=list)


_NUMBER_KINDS = {"ISA": "ISA13", "GS": "GS06", "ST": "ST02", "CSV": "file number"}


def _numbers_skipped(moved: tuple[str, str, list[tuple[str, int, int]]]) -> FindingRecord:
    """CONTROL_NUMBERS_SKIPPED for the continuing profile (``sequence``, [continues]) whose counters were moved past
    those of the profile it carries on (``partner``): each kind's numbers before, those skipped and the next."""
    from schemas.findings import finding

    sequence, partner, kinds = moved
    said = "; ".join(f"{_NUMBER_KINDS.get(kind, kind)} {'none sent yet' if before == 0 else f'last {before}'}, "
                     f"next {last + 1}" + (f" ({before + 1}-{last} skipped)" if last > before + 1 else
                                           f" ({last} skipped)" if last == before + 1 else "")
                     for kind, before, last in sorted(kinds, key=lambda k: list(_NUMBER_KINDS).index(k[0])
                                                      if k[0] in _NUMBER_KINDS else 9))
    return FindingRecord(finding("CONTROL_NUMBERS_SKIPPED", (
        f"{sequence}'s control numbers moved past {partner}'s, whose documents it sends from now ([continues]): "
        f"{said}. The numbers skipped are the ones {partner}'s documents had; they are never used under {sequence}'s "
        "ids: X12 asks for unique control numbers, not consecutive ones; tell the partner's new provider")),
        sequence, consequence="none (numbers skipped once; nothing held)", stage="numbering")


@dataclass(frozen=True, slots=True)
class HeldDocument:
    """A document stored held: no control numbers, not rendered (documents.status 'held')."""

    id: int
    document: PlannedDocument
    created_at: str = ""
    run_id: str = ""


Render = Callable[[PlannedDocument, int, int, list[int]], tuple[str, bytes]]
"""render(document, isa13, gs06, st02s) -> (file name, content): numbers a document (flows.documents)."""

Hold = Callable[[PlannedDocument], FindingRecord | None]
"""hold(document) -> why it cannot be rendered yet (it is stored held, unnumbered), or None (flows.documents)."""

HELD = "held"  # documents.status of a held document; its file_name is a placeholder, its content the plan


def _charset_rank(charset: str) -> int:
    return CHARSETS.index(charset) if charset in CHARSETS else -1


class StateStore(FinanceTables):
    def __init__(self, path: Path | str, *, dialect: Dialect = SQLITE) -> None:
        from connectors.state_migrations import open_schema

        self.path = str(path)
        self.dialect = dialect
        self._lock = threading.RLock()
        self._depth = 0
        # the last line table read outside a transaction (SQLite): (its orders, its rows, the store's
        # version then, each row's address): what a plan rewriting those orders' lines is compared with, and
        # where each line is (_rewrite_changed)
        self._lines_read: tuple[frozenset, pa.Table, tuple[int, int], pa.Array] | None = None
        self._line_writes = 0  # statements of this connection that wrote order_lines (_wrote)
        # the store's write version (connectors.store_versions): whether the store has it (open_schema), the value
        # after this connection's last bump, and what the transaction under way wrote (_tx_begun)
        self._versioned = False
        self.version_committed: int | None = None
        self._tx_begun()
        self._reader = None  # connectors.arrow_sql.Reader: bulk reads straight into Arrow (_arrow_rows)
        if is_url(self.path):  # PostgreSQL: same SQL and migrations through its connection and dialect
            from connectors.state_pg import POSTGRES, connect

            self._db, self.dialect = connect(self.path), POSTGRES
            self.path = self._db.shown  # what errors and messages name: never the password
            try:
                open_schema(self)
            except BaseException:
                self._db.close()
                raise
            return
        with _edge(self.path):
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
            try:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=FULL")
                self._db.execute("PRAGMA cache_size=-65536")  # 64 MiB: a night's rows written without spilling
                # a page freed whole is not zeroed and written again (content deleted inside a page still is, the
                # page being written anyway): Debian's SQLite has secure_delete on, and delivery rewrites each
                # document's row with its content (status and delivered_at grow it), the old content's overflow
                # pages then zeroed as well - a third of the deliver stage's WAL (10,000 POs: 41 -> 27 MB). A freed
                # page keeps its old bytes until reused (what the store deletes is no secret from its file's reader)
                self._db.execute("PRAGMA secure_delete=FAST")
                open_schema(self)
            except BaseException:
                self._db.close()
                raise

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
        self._db.close()

    def shed_cache(self) -> None:
        """The connection's page cache handed back (SQLite's shrink_memory: the up to 64 MiB a large
        write left cached; a page is read again from the file, or the system's cache of it, when next
        needed). Nothing on PostgreSQL, whose cache is its server's. Nothing stored changes."""
        if self.dialect.name != "sqlite":
            return
        with self._lock, _edge(self.path):
            self._db.execute("PRAGMA shrink_memory")

    def check(self) -> None:
        """Before a run: the whole store reads back (SQLite's quick_check, on the connection like the
        other SQLite settings) and a write transaction can start; else StateError at once, before
        anything is done."""
        with self._lock, _edge(self.path):
            verdict = "ok" if self.dialect.name != "sqlite" else (  # PostgreSQL checks its own pages
                self._db.execute("PRAGMA quick_check(1)").fetchone()[0])
            if verdict != "ok":
                raise StateError(_PERMANENT[sqlite3.SQLITE_CORRUPT], path=self.path, detail=verdict)
            self._db.execute(self.dialect.begin)
            self._db.execute("ROLLBACK")

    # --- SQL in one place ---------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE (Dialect.begin) ... COMMIT; nested calls join the outer transaction."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            with _edge(self.path):
                self._db.execute(self.dialect.begin)
            self._depth = 1
            self._tx_begun()
            try:
                yield
                with _edge(self.path):
                    version, touched = self._bump()
                    self._db.execute("COMMIT")
                if version is not None:
                    self._committed(version, touched)
            except BaseException:
                self._lines_read = None  # (its writes counted already: the line table read before is not used)
                if self._db.in_transaction:  # SQLite rolls back itself after some failures (e.g. disk full)
                    with _edge(self.path):
                        self._db.execute("ROLLBACK")
                raise
            finally:
                self._depth = 0
                self._tx_keep = []

    # --- the write version (connectors.store_versions) ------------------------------------------------
    def _tx_begun(self) -> None:
        """What a transaction writes, counted from its BEGIN: statements per table, those of them made inside
        _touching (with the orders they touched), and on SQLite the rows they changed (against the connection's
        own count at the COMMIT: a write no statement of ours named is caught there)."""
        self._tx_count: Counter = Counter()
        self._tx_declared: Counter = Counter()
        self._tx_orders: dict[str, set] = {}
        self._tx_changes = 0
        self._tx_base = self._db.total_changes if self.dialect.name == "sqlite" and hasattr(self, "_db") else 0
        self._tx_keep: list[tuple] = []

    @contextmanager
    def _direct_write(self, table: str) -> Iterator[None]:
        """A write of ``table`` that does not go through _q / _many (PostgreSQL's COPY, UPDATE ... FROM unnest):
        counted as theirs are, in a transaction of its own when none is under way."""
        with self._lock:
            if not self._depth and self._versioned:
                with self.transaction():
                    self._count(frozenset({table}))
                    yield
                return
            self._count(frozenset({table}))
            yield

    def _count(self, tables: frozenset[str]) -> None:
        for t in tables:
            self._tx_count[t] += 1

    @contextmanager
    def _touching(self, table: str, orders: Iterable[tuple[str, str]]) -> Iterator[None]:
        """The statements inside write ``table``'s rows of ``orders`` only (declared for the write version's
        hand-on: a kept table of other orders' rows stays valid across this transaction)."""
        before = self._tx_count[table]
        yield
        n = self._tx_count[table] - before
        if n:
            self._tx_declared[table] += n
            self._tx_orders.setdefault(table, set()).update(orders)

    def _bump(self) -> tuple[int | None, dict]:
        """Before the COMMIT: the write version bumped when the transaction wrote anything but lease rows
        (version, {table: the orders it touched, or store_versions.ANY}); (None, ...) when not bumped."""
        if not self._versioned:
            return None, {}
        touched = {t: frozenset(self._tx_orders.get(t, ())) if self._tx_declared[t] == n else store_versions.ANY
                   for t, n in self._tx_count.items() if n}
        if self.dialect.name == "sqlite":
            if self._db.total_changes - self._tx_base != self._tx_changes:  # rows changed by a statement not named
                touched[EVERY] = store_versions.ANY
        elif not touched and self._db.execute("SELECT txid_current_if_assigned()").fetchone()[0] is not None:
            touched[EVERY] = store_versions.ANY
        if not set(touched) - LEASES_ONLY:
            return None, touched
        [(version,)] = self._db.execute(
            "UPDATE write_version SET version = version + 1 WHERE one = 1 RETURNING version").fetchall()
        return int(version), touched

    def _committed(self, version: int, touched: dict) -> None:
        self.version_committed = version
        store_versions.committed(self.path, version, touched)
        for name, tables, rows, named, schema, order, statements in self._tx_keep:
            if all(self._tx_count[t] == statements for t in tables):  # none written after them in the transaction
                store_versions.keep(self.path, name, tables, version, rows, schema, order, named=named)

    def raise_write_version(self, past: int) -> int:
        """The write version set past ``past`` (a store put in place of another: restored from a backup, or
        rebuilt), so no table kept at a version of the store it replaced is ever taken, in any process; the
        version now."""
        with self.transaction():  # (its own bump on top)
            self._q("UPDATE write_version SET version = ? WHERE one = 1 AND version < ?", (past, past))
        store_versions.forget(self.path)
        return self.write_version()

    def write_version(self) -> int:
        """The store's write version as committed now (moves with every write transaction of any connection
        but a lease's renewal)."""
        return int(self._q("SELECT version FROM write_version WHERE one = 1")[0][0])

    def _q(self, sql: str, args: Sequence = ()) -> list[tuple]:
        written = _written(sql)
        with self._lock:
            if written and not self._depth and self._versioned and written - LEASES_ONLY:
                with self.transaction():  # a write on its own: in a transaction of its own, which bumps the version
                    return self._q(sql, args)
            self._wrote(sql)
            with _edge(self.path):
                if not written:
                    return self._db.execute(self.dialect.sql(sql), tuple(args)).fetchall()
                self._count(written)
                before = self._db.total_changes if self.dialect.name == "sqlite" else 0
                rows = self._db.execute(self.dialect.sql(sql), tuple(args)).fetchall()
                if self.dialect.name == "sqlite":
                    self._tx_changes += self._db.total_changes - before
                return rows

    def _wrote(self, sql: str) -> None:
        """Count a statement that may write order_lines (every one naming it but a SELECT): a line table
        read before it is no longer what is stored (_rewrite_changed), and is let go."""
        if "order_lines" in sql and not sql.startswith("SELECT"):
            self._line_writes += 1
            self._lines_read = None

    def _q_chunks(self, sql: str, args: Sequence = (), size: int = 50_000) -> Iterator[list[tuple]]:
        """The rows of one query ``size`` at a time (a reader that turns each chunk into columns never
        holds a whole night's rows as Python tuples at once); the store is held until the last chunk."""
        with self._lock, _edge(self.path):
            cur = self._db.execute(self.dialect.sql(sql), tuple(args))
            while chunk := cur.fetchmany(size):
                yield chunk

    def _arrow_rows(self, sql: str, args: Sequence = ()) -> pa.Table | None:
        """A bulk read's rows straight into Arrow (connectors.arrow_sql: the driver's types, by position),
        or None where that cannot be used (PostgreSQL, a store in memory, a transaction of this
        connection open, no driver): the caller then reads the rows through this connection."""
        reader = self._arrow_reader()
        if reader is None:
            return None
        with self._lock, _edge(self.path):
            return reader.read(sql, args)

    def _arrow_reader(self):
        """_arrow_rows's reader (connectors.arrow_sql.Reader, its connection kept), or None where it is not
        used."""
        if self.dialect.name != "sqlite" or self.path == ":memory:" or self._depth or self._db.in_transaction:
            return None
        if self._reader is None:
            from connectors.arrow_sql import Reader

            self._reader = Reader(self.path)
        return self._reader

    def _many(self, sql: str, rows: Iterable[Sequence]) -> int:
        """executemany; the number of rows changed."""
        written = _written(sql)
        with self._lock:
            if written and not self._depth and self._versioned and written - LEASES_ONLY:
                with self.transaction():  # as _q's
                    return self._many(sql, rows)
            self._wrote(sql)
            self._count(written)
            with _edge(self.path):
                before = self._db.total_changes if self.dialect.name == "sqlite" else 0
                cur = self._db.executemany(self.dialect.sql(sql), rows)
                if self.dialect.name == "sqlite":
                    self._tx_changes += self._db.total_changes - before
                return cur.rowcount

    def _script(self, sql: str) -> None:
        for statement in sql.format(blob=self.dialect.blob).split(";"):
            if statement.strip():
                self._q(statement)

    def _columns(self, table: str) -> set[str]:
        return {r[0] for r in self._q(self.dialect.columns_query(), (table,))}

    def _table_names(self) -> set[str]:
        return {r[0] for r in self._q(self.dialect.tables_query())}

    def _by_keys(self, sql: str, keys: Iterable[tuple[str, str]], order: str) -> list[tuple]:
        """Rows of ``sql`` (ending in WHERE; a DELETE too) for (partner, po_number) keys, a partner and a chunk
        at a time."""
        rows: list[tuple] = []
        if self.dialect.name != "sqlite":  # a partner's POs as one array (a sorted read: CHUNK at a time, as here)
            for partner, chunk in _partner_chunks(keys, CHUNK if order else ARRAY_CHUNK):
                rows += self._q(f"{sql} partner=? AND po_number = ANY(?::text[]) {order}", (partner, chunk))
            return rows
        for partner, chunk in _partner_chunks(keys, CHUNK):
            rows += self._q(f"{sql} partner=? AND po_number IN ({','.join('?' * len(chunk))}) {order}",
                            (partner, *chunk))
        return rows

    def _within(self, values: Sequence[str], size: int = CHUNK) -> Iterator[tuple[str, list]]:
        """(`` IN (?,...)``, its arguments) for ``values`` ``size`` at a time on SQLite; on PostgreSQL
        (`` = ANY(?::text[])``, one array) for ARRAY_CHUNK of them at a time: for reads whose rows go into
        a set or a dict, or that put the chunks' rows in order themselves (the chunks differ by back end)."""
        if self.dialect.name != "sqlite":
            for i in range(0, len(values), ARRAY_CHUNK):
                yield self.dialect.one_list(), [self.dialect.list_value(values[i:i + ARRAY_CHUNK])]
            return
        for i in range(0, len(values), size):
            chunk = list(values[i:i + size])
            yield f" IN ({','.join('?' * len(chunk))})", chunk

    def _arrow_by_keys(self, sql: str, keys: Iterable[tuple[str, str]], order: str, schema: pa.Schema, *,
                       chunk: int = CHUNK) -> pa.Table:
        """_by_keys's rows (a SELECT's) as one Arrow table of ``schema``, each chunk read by _arrow (straight
        from SQLite where it can: no Python value per cell), in _by_keys's order. A SELECT whose first column
        is the partner (``schema``'s first field) reads the others only: every row of a chunk holds the
        chunk's partner (partner=?), repeated in Arrow (ADBC's SQLite driver costs ~0.1 us a value read,
        whatever its type: the ship stage's 100,000 lines and reservations, a column each)."""
        import pyarrow as pa

        lead = "SELECT partner, "
        given = schema.names[0] == "partner" and sql.startswith(lead)
        read_sql, read_schema = ("SELECT " + sql[len(lead):], schema.remove(0)) if given else (sql, schema)
        parts = [schema.empty_table()]
        for partner, pos in _partner_chunks(keys, chunk):
            # the chunk's POs as one parameter: ADBC binds each parameter as an Arrow column of its own (5 ms
            # for 500 of them); SQLite reads the list as an IN list's (the same index search, the same order)
            part = self._arrow(f"{read_sql} partner=? AND po_number{self.dialect.one_list()} {order}",
                               (partner, self.dialect.list_value(pos)), read_schema)
            if given:  # equal to the parameter, so the very text stored (a deterministic collation, byte equality)
                part = part.add_column(0, schema.field(0), pa.repeat(pa.scalar(partner, schema.field(0).type),
                                                                     part.num_rows))
            parts.append(part)
        return pa.concat_tables(parts).combine_chunks()

    # --- meta and sequences -------------------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        return int(self._q("SELECT value FROM meta WHERE key='schema_version'")[0][0])

    @property
    def workspace_id(self) -> str:
        return self._q("SELECT value FROM meta WHERE key='workspace_id'")[0][0]

    def _next_ids(self, name: str, count: int) -> list[int]:
        """``count`` ids from a store-internal sequence (events, documents, findings, changes, arrival)."""
        if count <= 0:
            return []
        with self.transaction():  # one statement, a row lock: atomic whatever the isolation (RETURNING)
            [(new_last,)] = self._q("INSERT INTO sequences (name, last) VALUES (?,?) ON CONFLICT (name) DO UPDATE"
                                    " SET last=sequences.last + excluded.last RETURNING last", (name, count))
        return list(range(new_last - count + 1, new_last + 1))

    # --- files ----------------------------------------------------------------------------------
    def file_status(self, partner: str, sha256: str) -> str | None:
        rows = self._q("SELECT status FROM files WHERE partner=? AND sha256=?", (partner, sha256))
        return rows[0][0] if rows else None

    def record_file(self, partner: str, sha256: str, name: str, size: int, at: str, status: str,
                    archive_path: str = "", run_id: str = "", error_count: int = 0,
                    resume: FileResume | None = None, encoding: str | None = None) -> None:
        """A file's row, or its status, errors and resume point again (``resume``: where a file read in pieces goes
        on, while its status is "receiving"; None once it is taken whole); ``encoding``: the one a CSV file was read
        in (None: not told, the one kept stays)."""
        at_, segments, part, batches = astuple(resume) if resume is not None else (None,) * 4
        self._q("INSERT INTO files (partner, sha256, name, size, received_at, status, archive_path, run_id,"
                " error_count, resume_at, resume_segments, resume_part, resume_batches, encoding) VALUES (?,?,?,?,?,?,"
                "?,?,?,?,?,?,?,?) ON CONFLICT (partner, sha256) DO UPDATE SET status=excluded.status,"
                " error_count=excluded.error_count, resume_at=excluded.resume_at,"
                " resume_segments=excluded.resume_segments, resume_part=excluded.resume_part,"
                " resume_batches=excluded.resume_batches, encoding=COALESCE(excluded.encoding, files.encoding)",
                (partner, sha256, name, size, at, status, archive_path, run_id, error_count, at_, segments, part,
                 batches, encoding))

    def file_record(self, partner: str, sha256: str) -> dict | None:
        """A recorded input file: its name, status (the disposition intake chose: processed or
        quarantined; "receiving" while read in pieces), disposed_at (when it was moved there; None while the move
        is still due), error_count, resume (a FileResume while receiving, else None) and encoding (the one a CSV
        file was read in: "cp1252" for a UTF-8 layout's file read as Windows-1252; None for an X12 file)."""
        rows = self._q("SELECT name, status, archive_path, run_id, disposed_at, error_count, encoding, resume_at,"
                       " resume_segments, resume_part, resume_batches FROM files WHERE partner=? AND sha256=?",
                       (partner, sha256))
        if not rows:
            return None
        name, status, archive_path, run_id, disposed_at, errors, encoding, *resume = rows[0]
        return {"name": name, "status": status, "archive_path": archive_path, "run_id": run_id,
                "disposed_at": disposed_at, "error_count": errors or 0,
                "resume": FileResume(*(int(v or 0) for v in resume)) if resume[0] is not None else None,
                "encoding": encoding}

    def taken_sizes(self, partner: str, name: str) -> set[int]:
        """The sizes of the files named ``name`` recorded for ``partner`` and moved to their disposition
        (what a drop that leaves taken files in its inbox may still list)."""
        return {r[0] for r in self._q("SELECT size FROM files WHERE partner=? AND name=? AND disposed_at IS NOT NULL",
                                      (partner, name))}

    def first_said(self, code: str, isa13: str, says: str) -> tuple[str, str] | None:
        """The run (its id, its clock: "" when the run is not on record) that first recorded a finding ``code``
        about interchange ``isa13`` whose message holds ``says`` (a VAN mailbox interchange's
        MAILBOX_INTERCHANGE_HELD naming its held copy: how long it has waited); None when none is on record. Few
        rows: the findings of that code (findings_code)."""
        rows = self._q("SELECT f.run_id, COALESCE(r.clock, r.started_at), f.message FROM findings f LEFT JOIN runs r "
                       "ON r.run_id = f.run_id WHERE f.code=? AND f.isa13=? ORDER BY f.id", (code, isa13))
        return next(((run, clock or "") for run, clock, message in rows if says in message), None)

    def file_finding_recorded(self, partner: str, stage: str, code: str, file: str, *,
                              file_move: str | None = None) -> bool:
        """Whether a finding ``code`` about the file named ``file`` was recorded for ``partner`` at ``stage``
        (saying ``file_move`` of its move out of the inbox, when given: schemas.findings.MOVE_REFUSED ...)."""
        extra, args = (" AND file_move=?", (file_move,)) if file_move is not None else ("", ())
        return bool(self._q("SELECT 1 FROM findings WHERE partner=? AND stage=? AND code=? AND file=?" + extra
                            + " LIMIT 1", (partner, stage, code, file, *args)))

    def mark_file_move(self, partner: str, stage: str, code: str, file: str, move: str, *, was: str | None,
                       run_id: str | None = None) -> None:
        """The findings ``code`` about the file named ``file`` whose file_move is ``was`` (None: nothing said yet;
        recorded by ``run_id``, when given) now say ``move`` of the file's move out of the inbox (schemas.findings.
        MOVE_REFUSED: a duplicate left in an inbox that refused its move; MOVE_MADE: moved since). Their consequence
        stays as recorded: readers render it with the move (schemas.findings.consequence_said)."""
        where = " AND file_move IS NULL" if was is None else " AND file_move=?"
        extra, args = (" AND run_id=?", (run_id,)) if run_id is not None else ("", ())
        self._q("UPDATE findings SET file_move=? WHERE partner=? AND stage=? AND code=? AND file=?" + where + extra,
                (move, partner, stage, code, file, *(() if was is None else (was,)), *args))

    def mark_disposed(self, partner: str, sha256: str, at: str) -> None:
        """The input file was moved to its disposition's folder (processed/ or quarantine/)."""
        self._q("UPDATE files SET disposed_at=? WHERE partner=? AND sha256=?", (at, partner, sha256))

    def files(self, partner: str | None = None) -> list[dict]:
        sql = "SELECT partner, sha256, name, size, received_at, status, archive_path, error_count FROM files"
        rows = self._q(sql + (" WHERE partner=?" if partner else "") + " ORDER BY received_at, name",
                       (partner,) if partner else ())
        keys = ("partner", "sha256", "name", "size", "received_at", "status", "archive_path", "error_count")
        return [dict(zip(keys, r, strict=False)) for r in rows]

    # --- a file's content taken again (`orderbridge retake`): its earlier takes in file_takes -----------------
    def files_named(self, partner: str, name_or_sha: str) -> list[dict]:
        """The recorded files of ``partner`` (a partner's id, or a warehouse's files key) named ``name_or_sha``, or
        whose sha256 is it or begins with it (8 hex digits at least), oldest first (StateStore.file's keys)."""
        text = name_or_sha.strip()
        rows = self._file_rows("partner=? AND name=?", (partner, text))
        if len(text) >= 8 and all(c in "0123456789abcdef" for c in text.lower()):
            known = {r["sha256"] for r in rows}
            rows += [r for r in self._file_rows("partner=? AND sha256 LIKE ?", (partner, text.lower() + "%"))
                     if r["sha256"] not in known]
        return rows

    def what_file_did(self, partner: str, sha256: str) -> list[str]:
        """What the take of one file's content sent or changed, in words ([] nothing): each document answering it
        or an order it brought (997, TA1, 855, 865, a CSV acknowledgment; held or pending ones too), each order it
        brought, each 860 it carried, its acknowledgments of our documents, each shipment a confirmation recorded
        (a warehouse's files key: its 856s and 810s follow from them). What `orderbridge retake` refuses to take
        again (nothing is ever answered or sent twice)."""
        out = [f"shipment {s} for {p}/{po} ({'856 ' + (st or 'not built') if key else 'no 856'})"
               for s, p, po, key, st in self._q(
                   "SELECT DISTINCT h.shipment_id, l.partner, l.po_number, h.asn_doc_key, d.status FROM shipments h"
                   " LEFT JOIN shipment_lines l ON l.warehouse = h.warehouse AND l.shipment_id = h.shipment_id"
                   " LEFT JOIN document_sets s ON s.partner = h.partner AND s.doc_key = h.asn_doc_key"
                   " LEFT JOIN documents d ON d.id = s.document_id WHERE h.source_sha256=?"
                   " ORDER BY h.shipment_id, l.partner, l.po_number", (sha256,))]
        if partner.startswith("warehouse:"):
            return out
        out += [f"{t} ISA13 {isa13 or '-'} ST02 {st02 or '-'}" + (f" for PO {po}" if po else "") + f" ({status})"
                for t, isa13, st02, po, status in self._q(
                    "SELECT d.doc_type, d.isa13, s.st02, s.po_number, d.status FROM document_sets s JOIN documents d"
                    " ON d.id = s.document_id WHERE s.partner=? AND (s.source_sha256=? OR s.po_number IN (SELECT"
                    " po_number FROM orders WHERE partner=? AND source_sha256=?)) ORDER BY d.id, s.position",
                    (partner, sha256, partner, sha256))]
        out += [f"order {po} ({state})" for po, state in self._q(
            "SELECT po_number, state FROM orders WHERE partner=? AND source_sha256=? ORDER BY po_number",
            (partner, sha256))]
        out += [f"860 for {po} ({status})" for po, status in self._q(
            "SELECT po_number, status FROM pending_changes WHERE partner=? AND store_key=? ORDER BY id",
            (partner, sha256))]
        [(acks,)] = self._q("SELECT COUNT(*) FROM partner_acks WHERE partner=? AND source_sha256=?", (partner, sha256))
        return out + ([f"{acks} acknowledgment(s) of our documents kept"] if acks else [])

    def retake_file(self, partner: str, sha256: str, *, by: str, note: str, at: str) -> dict | None:
        """Mark one recorded file's content to be taken again (`orderbridge retake`), in one transaction: its
        `files` row moves to file_takes with who asked, when (``at``, wall clock) and why, and the interchanges and
        groups recorded from it are forgotten (nothing answered them: the caller checked what_file_did), so the
        next run takes the content as new, from its kept copy or a resend. The moved row (file_takes' keys), or
        None when no file of ``partner`` has that content."""
        cols = ("name", "size", "received_at", "status", "archive_path", "run_id", "error_count", "disposed_at")
        with self.transaction():
            rows = self._q(f"SELECT {', '.join(cols)} FROM files WHERE partner=? AND sha256=?", (partner, sha256))
            if not rows:
                return None
            [(take,)] = self._q("SELECT COALESCE(MAX(take), 0) + 1 FROM file_takes WHERE partner=? AND sha256=?",
                                (partner, sha256))
            self._q(f"INSERT INTO file_takes (partner, sha256, take, {', '.join(cols)}, asked_at, asked_by, note)"
                    f" VALUES ({', '.join('?' * (len(cols) + 6))})", (partner, sha256, take, *rows[0], at, by, note))
            for table in ("files", "interchanges_in", "groups_in"):
                self._q(f"DELETE FROM {table} WHERE partner=? AND sha256=?", (partner, sha256))
        return self.file_takes(partner, sha256)[-1]

    def file_takes(self, partner: str, sha256: str) -> list[dict]:
        """The earlier takes of one file's content ops asked to take again, oldest first: its `files` row as it
        was (name, size, received_at, status, archive_path, run_id, error_count, disposed_at) with take (1, 2 ...),
        asked_at, asked_by and note."""
        keys = ("partner", "sha256", "take", "name", "size", "received_at", "status", "archive_path", "run_id",
                "error_count", "disposed_at", "asked_at", "asked_by", "note")
        rows = self._q(f"SELECT {', '.join(keys)} FROM file_takes WHERE partner=? AND sha256=? ORDER BY take",
                       (partner, sha256))
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def held_early_files(self, partner: str) -> list[dict]:
        """The files of ``partner`` quarantined unanswered because they came from (or to) ids a dated change still
        to come announced (PARTNER_SWITCH_EARLY errors: [x12] early_ids "hold") and not taken again since: each
        finding's element (ISA06, ISA08) and value (the id) with its file's name and sha256, oldest first."""
        keys = ("partner", "name", "sha256", "element", "value", "run_id")
        rows = self._q("SELECT f.partner, f.file, fi.sha256, f.element, f.value, f.run_id FROM findings f JOIN files"
                       " fi ON fi.partner = f.partner AND fi.name = f.file AND fi.run_id = f.run_id WHERE"
                       " f.code = 'PARTNER_SWITCH_EARLY' AND f.severity = 'error' AND f.partner = ? AND"
                       " fi.status = 'quarantined' AND fi.disposed_at IS NOT NULL ORDER BY f.id", (partner,))
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def takes_due(self, partner: str) -> list[dict]:
        """The files of ``partner`` ops asked to take again whose new take is not done: not recorded since, or
        recorded under the name asked for and not yet moved to its folder (a run that died after its commit).
        Each the latest file_takes row of its content (file_takes' keys), in the order they were asked."""
        keys = ("partner", "sha256", "take", "name", "size", "received_at", "status", "archive_path", "run_id",
                "error_count", "disposed_at", "asked_at", "asked_by", "note")
        rows = self._q(f"SELECT {', '.join('t.' + k for k in keys)} FROM file_takes t LEFT JOIN files f"
                       " ON f.partner = t.partner AND f.sha256 = t.sha256 WHERE t.partner=? AND (f.sha256 IS NULL"
                       " OR (f.disposed_at IS NULL AND f.name = t.name)) ORDER BY t.asked_at, t.take", (partner,))
        latest: dict[str, dict] = {}
        for r in rows:
            latest[r[1]] = dict(zip(keys, r, strict=True))
        return sorted(latest.values(), key=lambda r: (r["asked_at"], r["sha256"]))

    # --- inbound interchange control numbers (duplicate detection across files) -----------------
    # One row per number: its latest use (a number taken again after the partner's duplicate window,
    # engine.process.duplicate_envelopes, points the row at the file that used it again). When and in
    # which file it was used: that file's row in `files`.
    def interchanges(self, partner: str) -> set[tuple[str, str]]:
        return set(self.interchange_uses(partner))

    def interchanges_among(self, partner: str, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        """Those of the (sender, ISA13) ``keys`` received before from ``partner``."""
        return set(self.interchange_uses(partner, keys))

    def interchange_uses(self, partner: str, keys: Iterable[tuple[str, str]] | None = None
                         ) -> dict[tuple[str, str], tuple[str | None, str | None]]:
        """(sender, ISA13) -> (received_at, name) of the file that last used it, for every interchange
        received from ``partner`` or, given ``keys``, for those of them received before: intake's look-up
        for one file's interchanges (by the primary key: the partner's whole history is not read per file)."""
        sql = ("SELECT i.sender, i.isa13, f.received_at, f.name FROM interchanges_in i LEFT JOIN files f"
               " ON f.partner = i.partner AND f.sha256 = i.sha256 WHERE i.partner=?")
        if keys is None:
            return {(s, n): (at, name) for s, n, at, name in self._q(sql, (partner,))}
        by_sender: dict[str, list[str]] = {}
        for sender, isa13 in dict.fromkeys(keys):
            by_sender.setdefault(sender, []).append(isa13)
        out: dict[tuple[str, str], tuple[str | None, str | None]] = {}
        for sender, numbers in by_sender.items():
            for within, chunk in self._within(numbers):
                out.update({(s, n): (at, name) for s, n, at, name in
                            self._q(f"{sql} AND i.sender=? AND i.isa13{within}", (partner, sender, *chunk))})
        return out

    def record_interchange(self, partner: str, sender: str, isa13: str, sha256: str) -> None:
        """(sender, ISA13) taken in from file ``sha256``: its latest use (intake takes a number again only
        after the partner's duplicate window)."""
        self._q("INSERT INTO interchanges_in (partner, sender, isa13, sha256) VALUES (?,?,?,?)"
                " ON CONFLICT (partner, sender, isa13) DO UPDATE SET sha256=excluded.sha256",
                (partner, sender, isa13, sha256))

    def file_interchanges(self, partner: str, sha256: str) -> set[tuple[str, str]]:
        """(sender, ISA13) of the interchanges taken in from one file (so far, while it is read in pieces)."""
        return set(self._q("SELECT sender, isa13 FROM interchanges_in WHERE partner=? AND sha256=?", (partner, sha256)))

    def file_groups(self, partner: str, sha256: str) -> set[tuple[str, str, str, str]]:
        return set(self._q("SELECT gs01, gs02, gs03, gs06 FROM groups_in WHERE partner=? AND sha256=?",
                           (partner, sha256)))

    # --- inbound functional groups (GS01+GS02+GS03+GS06) taken in: a record, each row its latest use. Not
    # asked for duplicates: GS06 is unique within its interchange only (engine.process.duplicate_envelopes) ---
    def groups(self, partner: str) -> set[tuple[str, str, str, str]]:
        return set(self.group_uses(partner))

    def groups_among(self, partner: str, keys: Iterable[tuple[str, str, str, str]]) -> set[tuple[str, str, str, str]]:
        """Those of the (GS01, GS02, GS03, GS06) ``keys`` received before from ``partner``."""
        return set(self.group_uses(partner, keys))

    def group_uses(self, partner: str, keys: Iterable[tuple[str, str, str, str]] | None = None
                   ) -> dict[tuple[str, str, str, str], tuple[str | None, str | None]]:
        """(GS01, GS02, GS03, GS06) -> (received_at, name) of the file that last used it (as
        interchange_uses: every group of ``partner``, or those of ``keys`` by the primary key)."""
        sql = ("SELECT g.gs01, g.gs02, g.gs03, g.gs06, f.received_at, f.name FROM groups_in g LEFT JOIN files f"
               " ON f.partner = g.partner AND f.sha256 = g.sha256 WHERE g.partner=?")
        if keys is None:
            return {tuple(r[:4]): (r[4], r[5]) for r in self._q(sql, (partner,))}
        by_head: dict[tuple[str, str, str], list[str]] = {}
        for gs01, gs02, gs03, gs06 in dict.fromkeys(keys):
            by_head.setdefault((gs01, gs02, gs03), []).append(gs06)
        out: dict[tuple[str, str, str, str], tuple[str | None, str | None]] = {}
        for head, numbers in by_head.items():
            for within, chunk in self._within(numbers):
                out.update({tuple(r[:4]): (r[4], r[5]) for r in
                            self._q(f"{sql} AND g.gs01=? AND g.gs02=? AND g.gs03=? AND g.gs06{within}",
                                    (partner, *head, *chunk))})
        return out

    def record_group(self, partner: str, key: tuple[str, str, str, str], sha256: str) -> None:
        """A group taken in from file ``sha256``: its latest use (as record_interchange)."""
        self._q("INSERT INTO groups_in (partner, gs01, gs02, gs03, gs06, sha256) VALUES (?,?,?,?,?,?)"
                " ON CONFLICT (partner, gs01, gs02, gs03, gs06) DO UPDATE SET sha256=excluded.sha256",
                (partner, *key, sha256))

    # --- control numbers: a named sequence per partner (ISA, GS, ST; later SSCC, invoice) --------
    def numbers_past(self, sequence: str, partner: str) -> list[tuple[str, int, int]]:
        """``sequence``'s counters (each kind) moved past ``partner``'s where they are behind (inside a transaction):
        ``partner``'s documents numbered in ``sequence`` (a profile whose orders ``sequence`` carries on, [continues])
        never take a number one of its own documents had, so (partner, ISA13, GS06, ST02) still names one set of it
        (the verdicts of its sets, document_acks, are keyed so; a 997 from its old ids names one group). Numbers are
        skipped, never reused: ``sequence``'s own receivers see them rise, as ever. Returns the counters it moved:
        (kind, ``sequence``'s last before, its last now: the numbers between skipped), by kind; none once moved."""
        with self.transaction():
            moved = [(kind, int(before or 0), int(last)) for kind, last, before in self._q(
                "SELECT a.kind, a.last, b.last FROM control_numbers a LEFT JOIN control_numbers b ON b.partner=? AND"
                " b.kind=a.kind WHERE a.partner=? AND (b.last IS NULL OR b.last < a.last) ORDER BY a.kind",
                (sequence, partner))]
            self._q("INSERT INTO control_numbers (partner, kind, last) SELECT ?, kind, last FROM control_numbers"
                    " WHERE partner=? ON CONFLICT (partner, kind) DO UPDATE SET last = CASE WHEN excluded.last >"
                    " control_numbers.last THEN excluded.last ELSE control_numbers.last END", (sequence, partner))
        return moved

    def take_numbers(self, partner: str, kind: str, count: int = 1, *, maximum: int | None = None) -> list[int]:
        """Reserve ``count`` consecutive numbers of ``kind`` for ``partner`` (inside a transaction);
        ``maximum``: the highest number the sequence may hand out (default per kind)."""
        if count <= 0:
            return []
        with self.transaction():  # one statement, a row lock: two writers never read the same last (RETURNING)
            [(new_last,)] = self._q("INSERT INTO control_numbers (partner, kind, last) VALUES (?,?,?) ON CONFLICT"
                                    " (partner, kind) DO UPDATE SET last=control_numbers.last + excluded.last"
                                    " RETURNING last", (partner, kind, count))
            if new_last > (maximum if maximum is not None else MAX_CONTROL.get(kind, 999_999_999)):  # give them back
                self._q("UPDATE control_numbers SET last=last-? WHERE partner=? AND kind=?", (count, partner, kind))
                raise StateError("control numbers exhausted", partner=partner, kind=kind)
        return list(range(new_last - count + 1, new_last + 1))

    def raise_number(self, partner: str, kind: str, at_least: int) -> None:
        """The last number of ``kind`` used for ``partner`` is at least ``at_least`` (never lowered):
        numbers found in what was sent when the store is rebuilt."""
        with self.transaction():
            last = self.last_number(partner, kind)
            if at_least > last:
                self._q("INSERT INTO control_numbers (partner, kind, last) VALUES (?,?,?) ON CONFLICT (partner, kind)"
                        " DO UPDATE SET last=excluded.last", (partner, kind, at_least))

    def record_sent(self, partner: str, doc_type: str, file_name: str, isa13: str, gs06: str, content: bytes,
                    sets: Sequence[dict], *, at: str, run_id: str) -> int:
        """A document found already delivered (an outbox file a rebuilt store did not know): stored as
        delivered, with its sets (keys, set ids, ST02s, PO numbers, what they answer). Its id."""
        with self.transaction():
            [doc_id] = self._next_ids("document", 1)
            self._q("INSERT INTO documents (id, partner, doc_type, file_name, isa13, gs06, content, status, created_at,"
                    " delivered_at, run_id) VALUES (?,?,?,?,?,?,?,'delivered',?,?,?)",
                    (doc_id, partner, doc_type, file_name, isa13, gs06, content, at, at, run_id))
            self._many("INSERT INTO document_sets (partner, doc_key, document_id, position, set_id, st02, gs06,"
                       " po_number, source_sha256, answers_isa13, answers_gs06) VALUES (?,?,?,?,?,?,?,?,?,?,?)"
                       " ON CONFLICT (partner, doc_key) DO NOTHING",
                       [(partner, s["doc_key"], doc_id, i + 1, s["set_id"], s.get("st02", ""), s.get("gs06", ""),
                         s.get("po_number", ""), "", s.get("answers_isa13", ""), s.get("answers_gs06", ""))
                        for i, s in enumerate(sets)])
        return doc_id

    def link_sent_answer(self, partner: str, doc_key: str, sha256: str) -> None:
        """A 997 or TA1 found in the outbox (record_sent) tied to the received file it answers, as intake
        tied it (document_sets.source_sha256), so the order's documents list it again."""
        self._q("UPDATE document_sets SET source_sha256=? WHERE partner=? AND doc_key=?", (sha256, partner, doc_key))

    def name_sent_po(self, partner: str, doc_key: str, po_number: str) -> None:
        """An 856 found in the outbox (record_sent: its sets name no PO) named by the PO of the shipment `state
        rebuild` made again of it (flows.rebuild_shipments), as the ship stage names the 856 it builds."""
        self._q("UPDATE document_sets SET po_number=? WHERE partner=? AND doc_key=? AND COALESCE(po_number, '')=''",
                (po_number, partner, doc_key))

    def take_serials(self, company_prefix: str, count: int, *, capacity: int) -> list[int]:
        """``count`` SSCC serial references under our GS1 ``company_prefix`` (one sequence per prefix
        for every partner and extension digit, so an SSCC is never built twice), from 1; ``capacity``
        is how many serials the prefix holds (engine.sscc.serial_capacity). Inside the caller's
        transaction, with the documents that use them."""
        return self.take_numbers(COMPANY, f"SSCC:{company_prefix}", count, maximum=capacity - 1)

    def take_invoice_numbers(self, count: int) -> list[int]:
        """``count`` invoice numbers from the company-wide sequence (never reused, no gaps when taken
        inside the transaction that stores their 810s)."""
        return self.take_numbers(COMPANY, "INVOICE", count)

    def last_number(self, partner: str, kind: str) -> int:
        rows = self._q("SELECT last FROM control_numbers WHERE partner=? AND kind=?", (partner, kind))
        return rows[0][0] if rows else 0

    def numbers_used(self) -> dict[tuple[str, str], int]:
        return {(p, k): v for p, k, v in self._q("SELECT partner, kind, last FROM control_numbers")}

    # --- applying a plan ------------------------------------------------------------------------
    def apply(self, plan: Plan, *, render: Render | None = None, hold: Hold | None = None, at: str = "",
              run_id: str = "", unchanged_since: tuple[int, ...] | None = None) -> Applied:
        """Apply ``plan`` in one transaction (joins the caller's): documents numbered (``render``) and
        stored as created ``at`` by ``run_id`` - or, when ``hold`` gives a reason, stored held without
        numbers (its finding recorded and returned in Applied.held) -, then orders (each checked against
        the state and revision its plan expected: else StateConflict and nothing is written), lines,
        reservations, changes, history, and findings (recorded for ``run_id``). With ``unchanged_since``
        (a ``mark()`` taken before the plan's inputs were read), nothing at all may have changed an
        order, a reservation or a document since: else StateConflict and nothing is written."""
        applied = Applied()
        with self.transaction():
            if unchanged_since is not None and self.mark() != tuple(unchanged_since):
                raise StateConflict("the state store changed while this stage was deciding (another run or a person "
                                    "wrote to it); nothing was written, the next run decides these orders again",
                                    expected=tuple(unchanged_since), found=self.mark())
            if plan.documents:
                if render is None:
                    raise StateError("a plan with documents needs a renderer")
                self._store_documents(plan.documents, render, hold, applied, at=at, run_id=run_id)
            self._write_received_orders(plan.received_orders)
            self._write_orders(plan.transitions)
            self._write_decided_orders(plan.decided)
            keeping = store_versions.active() and self.dialect.name == "sqlite" and self._versioned
            with self._touching("order_lines", _line_orders(plan) if keeping else ()):
                self._write_lines(plan)
                self._update_lines(plan)
            with self._touching("reservations", _reservation_orders(plan) if keeping else ()):
                self._write_reservations(plan, run_id)
            if keeping:
                self._keep_written(plan)
            self._write_changes(plan)
            self._write_received_events(plan.received_orders)
            self._write_events(plan, applied)
            self._write_shipments(plan)
            self._write_invoices(plan)
            self.add_findings([*plan.findings, *applied.held, *map(_numbers_skipped, applied.skipped)], run_id=run_id)
        return applied

    def _keep_written(self, plan: Plan) -> None:
        """The plan's line and reservation tables (each every stored row of the orders it names) kept for the next
        stage's line_table_for / reservation_table_for (connectors.store_versions, at this transaction's version),
        but for orders the plan also writes per order or updates in place, and if nothing writes the table after
        them in this transaction (_committed checks)."""
        from schemas.lifecycle import LINE_ROWS, RESERVATION_ROWS

        lines_apart = {(ol.partner, ol.po_number) for ol in plan.lines} | {(u[0], u[1]) for u in plan.line_updates}
        for t in plan.line_update_tables:
            lines_apart.update(_order_keys(t))
        for table in plan.line_tables:
            if table.num_rows and lines_apart.isdisjoint(_order_keys(table)):
                self._tx_keep.append(("order_lines", ("order_lines",), table, (), LINE_ROWS, ("line_number",),
                                      self._tx_count["order_lines"]))
        if len(plan.line_update_tables) == 1 and not (plan.lines or plan.line_updates or plan.line_tables):
            self._keep_updated(plan.line_update_tables[0])
        reserved_apart = {(r.partner, r.po_number) for r in plan.reservations}
        for t in plan.reservation_tables:  # (an order named without rows: none stored, kept as none)
            named = list(zip(t.keys["partner"].to_pylist(), t.keys["po_number"].to_pylist(), strict=True))
            if reserved_apart.isdisjoint(named):
                self._tx_keep.append(("reservations", ("reservations",), t.rows, named, RESERVATION_ROWS,
                                      ("line_number", "warehouse"), self._tx_count["reservations"]))

    def _keep_updated(self, updates: pa.Table) -> None:
        """The kept lines (connectors.store_versions) of the orders an 810 run's LINE_UPDATES table sets in place, with
        its state, invoiced and run_id as _update_lines stored them (each line once in the table, its last values: the
        UPDATE's), kept again at this transaction's version: the night's reconciliation takes every order line from
        memory (finance_lines) instead of reading them all. Nothing when any of these orders is not kept at the version
        this transaction started from, or a line updated is not among its order's kept lines (the orders' kept rows
        are then let go at the commit, as before: their lines read from the store)."""
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        from schemas.lifecycle import LINE_ROWS

        rows = store_versions.take(self.path, "order_lines", self.write_version(), _order_keys(updates))
        if rows is None or not updates.num_rows:
            return
        key = ["partner", "po_number", "line_number"]
        try:
            numbers = pc.cast(updates["line_number"], pa.int32())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # (a line number the kept rows cannot hold)
            return
        if rows.num_rows == updates.num_rows and rows["partner"].equals(updates["partner"]) and rows[
                "po_number"].equals(updates["po_number"]) and rows["line_number"].equals(numbers):
            which = None  # every kept line updated, in the same order (an 810 run billing whole orders)
        else:
            pairs = rows.select(key).append_column("_r", pa.array(np.arange(rows.num_rows), pa.int64())).join(
                pa.table({"partner": updates["partner"], "po_number": updates["po_number"], "line_number": numbers,
                          "_u": pa.array(np.arange(updates.num_rows), pa.int64())}), key, join_type="inner",
                use_threads=False)
            r, u = pairs["_r"].to_numpy(), pairs["_u"].to_numpy()
            if len(u) != updates.num_rows or len(np.unique(r)) != len(r):
                return  # a line not kept, or one updated twice: nothing kept of these orders
            which = np.full(rows.num_rows, -1, np.int64)
            which[r] = u
        columns = {}
        for c in ("state", "invoiced", "run_id"):
            new = updates[c].cast(rows.schema.field(c).type)
            if which is not None:
                mask = pa.array(which >= 0)
                new = pc.if_else(mask, new.take(pa.array(np.maximum(which, 0), pa.int64())), rows[c])
            columns[c] = new
        updated = pa.Table.from_arrays([columns.get(f.name, rows[f.name]) for f in rows.schema], schema=rows.schema)
        self._tx_keep.append(("order_lines", ("order_lines",), updated, (), LINE_ROWS, ("line_number",),
                              self._tx_count["order_lines"]))

    def _store_documents(self, docs: Sequence[PlannedDocument], render: Render, hold: Hold | None, applied: Applied,
                         *, at: str, run_id: str) -> None:
        wanted = [(d.partner, s.doc_key) for d in docs for s in d.sets]
        have = self._existing_keys(wanted)
        todo: list[PlannedDocument] = []
        for d in docs:
            sets = [s for s in d.sets if (d.partner, s.doc_key) not in have]
            if sets:
                todo.append(d if len(sets) == len(d.sets) else replace(d, sets=tuple(sets)))
                have.update((d.partner, s.doc_key) for s in sets)
        if not todo:
            for key in wanted:
                applied.document_ids.setdefault(key, 0)
            return
        reasons = [hold(d) if hold is not None else None for d in todo]
        numbered = iter(self._number([d for d, why in zip(todo, reasons, strict=True) if why is None], render,
                                     skipped=applied.skipped))
        ids = iter(self._next_ids("document", len(todo)))
        doc_rows, set_rows = [], []
        for d, why in zip(todo, reasons, strict=True):
            doc_id = next(ids)
            if why is not None:  # no number taken, nothing rendered: a later delivery releases it
                doc_rows.append((doc_id, d.partner, d.doc_type, f"{HELD}-{doc_id}", "", "", _held_content(d), HELD,
                                 at, run_id))
                set_rows += self._set_rows(d, doc_id, 0, [], applied)
                applied.held.append(why)
                continue
            isa13, gs06, st02s = next(numbered)
            file_name, content = render(d, isa13, gs06, st02s)
            doc_rows.append((doc_id, d.partner, d.doc_type, file_name,
                             "" if d.doc_type in UNENVELOPED else f"{isa13:09d}", str(gs06 or ""), content, "pending",
                             at, run_id))
            set_rows += self._set_rows(d, doc_id, gs06, st02s, applied)
            applied.documents[(d.partner, d.doc_type)] += 1
        self._insert_many("documents", ("id", "partner", "doc_type", "file_name", "isa13", "gs06", "content", "status",
                                        "created_at", "run_id"), doc_rows)
        self._insert_tuples("document_sets", ("partner", "doc_key", "document_id", "position", "set_id", "st02", "gs06",
                                              "po_number", "source_sha256", "answers_isa13", "answers_gs06"), set_rows)

    def _number(self, docs: Sequence[PlannedDocument], render: Render | None = None,
                skipped: list[tuple[str, str, list[tuple[str, int, int]]]] | None = None
                ) -> list[tuple[int, int, list[int]]]:
        """(ISA13, GS06, ST02s) for each document, in order: each partner's blocks taken at once. A partner whose
        documents go under another's envelope (``render``'s sequence_of: a profile whose orders another carries on,
        [continues]) takes that one's numbers: one sequence per envelope, never an ISA13 twice to one receiver.
        ``skipped`` is given (sequence, partner, numbers_past's moves) each time that moved the sequence's counters
        past the partner's (the switch: once)."""
        of = getattr(render, "sequence_of", None) or (lambda partner: partner)
        out = []
        numbers: dict[tuple[str, str], Iterator[int]] = {}
        for seq in dict.fromkeys(of(d.partner) for d in docs):
            for partner in sorted({d.partner for d in docs if of(d.partner) == seq} - {seq}):
                if (moved := self.numbers_past(seq, partner)) and skipped is not None:
                    skipped.append((seq, partner, moved))
            plain = [d for d in docs if of(d.partner) == seq and d.doc_type in UNENVELOPED]
            numbers[(seq, "CSV")] = iter(self.take_numbers(seq, "CSV", len(plain)))  # its file name
            mine = [d for d in docs if of(d.partner) == seq and d.doc_type not in UNENVELOPED]
            enveloped = [d for d in mine if d.doc_type != "TA1"]
            numbers[(seq, "ISA")] = iter(self.take_numbers(seq, "ISA", len(mine)))
            numbers[(seq, "GS")] = iter(self.take_numbers(seq, "GS", len(enveloped)))
            numbers[(seq, "ST")] = iter(self.take_numbers(seq, "ST", sum(len(d.sets) for d in enveloped)))
        for d in docs:
            seq = of(d.partner)
            if d.doc_type in UNENVELOPED:
                out.append((next(numbers[(seq, "CSV")]), 0, []))
                continue
            isa13 = next(numbers[(seq, "ISA")])
            gs06, st02s = 0, []
            if d.doc_type != "TA1":
                gs06 = next(numbers[(seq, "GS")])
                st02s = [next(numbers[(seq, "ST")]) for _ in d.sets]
            out.append((isa13, gs06, st02s))
        return out

    @staticmethod
    def _set_rows(d: PlannedDocument, doc_id: int, gs06: int, st02s: list[int], applied: Applied) -> list[tuple]:
        rows = []
        for i, s in enumerate(d.sets):
            rows.append((d.partner, s.doc_key, doc_id, i + 1, d.doc_type if d.doc_type in ("TA1", *UNENVELOPED) else
                         _SET_IDS.get(d.functional_id, d.doc_type), f"{st02s[i]:04d}" if st02s else "",
                         str(gs06 or ""), s.po_number, s.source_sha256, s.answers_isa13, s.answers_gs06))
            applied.document_ids[(d.partner, s.doc_key)] = doc_id
        return rows

    def held_documents(self, partner: str) -> list[HeldDocument]:
        """Documents stored held (oldest first), as the plans that made them."""
        rows = self._q("SELECT id, content, created_at, run_id FROM documents WHERE partner=? AND status=?"
                       " ORDER BY id", (partner, HELD))
        return [HeldDocument(r[0], _held_document(partner, bytes(r[1])), r[2] or "", r[3] or "") for r in rows]

    def release_document(self, held: HeldDocument, render: Render) -> bool:
        """Number and render a held document and make it pending, in one transaction (joins the
        caller's). False if it is no longer held (another run released it)."""
        with self.transaction():
            if not self._q("SELECT 1 FROM documents WHERE id=? AND status=?", (held.id, HELD)):
                return False
            d = held.document
            [(isa13, gs06, st02s)] = self._number([d], render)
            file_name, content = render(d, isa13, gs06, st02s)
            self._q("UPDATE documents SET file_name=?, isa13=?, gs06=?, content=?, status='pending' WHERE id=?"
                    " AND status=?", (file_name, f"{isa13:09d}", str(gs06 or ""), content, held.id, HELD))
            self._many("UPDATE document_sets SET st02=?, gs06=? WHERE partner=? AND doc_key=?",
                       [(f"{st02s[i]:04d}" if st02s else "", str(gs06 or ""), d.partner, s.doc_key)
                        for i, s in enumerate(d.sets)])
        return True

    def _existing_keys(self, keys: list[tuple[str, str]]) -> set[tuple[str, str]]:
        by_partner: dict[str, list[str]] = {}
        for partner, key in dict.fromkeys(keys):
            by_partner.setdefault(partner, []).append(key)
        out: set[tuple[str, str]] = set()
        for partner, ks in by_partner.items():
            for within, chunk in self._within(ks):
                out.update((partner, k) for (k,) in self._q(
                    f"SELECT doc_key FROM document_sets WHERE partner=? AND doc_key{within}", (partner, *chunk)))
        return out

    def _write_orders(self, transitions: Sequence[OrderTransition]) -> None:
        chains: dict[tuple[str, str], list[OrderTransition]] = {}
        for t in transitions:
            chains.setdefault(t.record.key, []).append(t)
        arrivals = iter(self._next_ids("arrival", sum(t.new_arrival for t in transitions)))
        inserts, updates = [], []
        for key, chain in chains.items():
            for a, b in zip(chain, chain[1:], strict=False):
                if (b.expect_state, b.expect_revision) != (a.record.state, a.record.revision):
                    raise StateError("a plan's transitions of one order do not chain", partner=key[0], po=key[1])
            row = _order_row(chain[-1].record)
            for t in chain:
                if t.new_arrival:  # numbered here, in plan order (the record itself is not rebuilt)
                    row = (*row[:_ARRIVAL], next(arrivals), *row[_ARRIVAL + 1:])
            first = chain[0]
            if first.expect_state is None:
                inserts.append(row)
            else:
                updates.append((*row[2:], key[0], key[1], first.expect_state.value, first.expect_revision))
        cols = ORDER_COLUMNS
        if inserts:
            n = self._many(f"INSERT INTO orders ({', '.join(cols)}) VALUES ({','.join('?' * len(cols))})"
                           " ON CONFLICT (partner, po_number) DO NOTHING", inserts)
            if n != len(inserts):
                self._conflict([(r[0], r[1]) for r in inserts], None)
        if updates:
            if self.dialect.name != "sqlite":  # one statement (each order once: the chains above)
                n = self._update_from("orders", (*cols[2:], "partner", "po_number", "expect_state", "expect_revision"),
                                      updates, ", ".join(f"{c}=v.{c}" for c in cols[2:]),
                                      "orders.partner=v.partner AND orders.po_number=v.po_number AND"
                                      " orders.state=v.expect_state AND orders.revision=v.expect_revision",
                                      ints=("revision", "answered_revision", "arrival", "line_count",
                                            "expect_revision"))
            else:
                sets = ", ".join(f"{c}=?" for c in cols[2:])
                n = self._many(f"UPDATE orders SET {sets} WHERE partner=? AND po_number=? AND state=? AND revision=?",
                               updates)
            if n != len(updates):
                self._conflict([(r[-4], r[-3]) for r in updates], {(r[-4], r[-3]): (r[-2], r[-1]) for r in updates})

    def _write_decided_orders(self, decided: Sequence) -> None:
        """Plan.decided's orders (DECIDED_ORDERS): each row's non-null columns set, as ``_write_orders``
        writes the whole row of a transition that changes only those; an order no longer in its expected
        state and revision is a StateConflict (nothing is written)."""
        def texts(values: list, join: Callable = _join) -> list:
            return [None if v is None else join(v) for v in values]

        def reasons(values: list[str]) -> str:
            return json.dumps(values) if values else "[]"

        keep = ("ack_type", "answered_with", "answered_revision", "value", "codes", "changed_lines", "hold_codes",
                "hold_reasons")
        sets = ", ".join(f"{c}=COALESCE(?, {c})" for c in keep)
        for d in decided:
            t = d.orders
            if not t.num_rows:
                continue
            rows = list(zip(
                t["state"].to_pylist(), t["updated_at"].to_pylist(), t["run_id"].to_pylist(),
                t["ack_type"].to_pylist(), t["answered_with"].to_pylist(), t["answered_revision"].to_pylist(),
                t["value"].to_pylist(), texts(t["codes"].to_pylist()), texts(t["changed_lines"].to_pylist()),
                texts(t["hold_codes"].to_pylist()), texts(t["hold_reasons"].to_pylist(), reasons),
                t["partner"].to_pylist(), t["po_number"].to_pylist(),
                t["expect_state"].to_pylist(), t["expect_revision"].to_pylist(), strict=True))
            if self.dialect.name != "sqlite" and len({r[-4:-2] for r in rows}) == len(rows):  # each order once
                names = ("state", "updated_at", "run_id", *keep, "partner", "po_number", "expect_state",
                         "expect_revision")
                n = self._update_from("orders", names, rows, "state=v.state, updated_at=v.updated_at, run_id=v.run_id, "
                                      + ", ".join(f"{c}=COALESCE(v.{c}, orders.{c})" for c in keep),
                                      "orders.partner=v.partner AND orders.po_number=v.po_number AND"
                                      " orders.state=v.expect_state AND orders.revision=v.expect_revision",
                                      ints=("answered_revision", "expect_revision"))
            else:  # (s45: 100 orders per UPDATE ... FROM (VALUES ...) 0.053-0.059 s CPU against 0.065 for 10,000)
                n = self._many(f"UPDATE orders SET state=?, updated_at=?, run_id=?, {sets} WHERE partner=? AND"
                               " po_number=? AND state=? AND revision=?", rows)
            if n != len(rows):
                self._conflict([(r[-4], r[-3]) for r in rows], {(r[-4], r[-3]): (r[-2], r[-1]) for r in rows})

    def _write_received_orders(self, tables: Sequence) -> None:
        """Plan.received_orders (RECEIVED_ORDERS): the rows ``_write_orders`` writes for table.create's
        transitions of the same orders (every column not in the table as a new OrderRecord has it,
        arrivals numbered in row order), read a column at a time; one that exists already is a
        StateConflict (nothing is written)."""
        for table in tables:
            n = table.num_rows
            if not n:
                continue
            default = dict(zip(ORDER_COLUMNS, _order_row(OrderRecord("", "", OrderState.RECEIVED)), strict=True))
            columns = []
            for c in ORDER_COLUMNS:
                if c == "arrival":
                    columns.append(self._next_ids("arrival", n))
                elif c == "po_date":
                    columns.append([d.isoformat() if d else None for d in table["po_date"].to_pylist()])
                elif c in table.column_names:
                    columns.append(table[c].to_pylist())
                else:
                    columns.append(itertools.repeat(default[c], n))
            if self.dialect.name == "sqlite":  # the columns every new order has alike: literals, not bound
                alike = {c: v for c, v in default.items() if c not in table.column_names and c != "arrival"}
                inserted = self._insert_columns("orders", ORDER_COLUMNS, columns, new=True,
                                                literal=_fixed_literals(ORDER_COLUMNS, alike))
            else:
                inserted = self._insert_tuples("orders", ORDER_COLUMNS, list(zip(*columns, strict=True)), new=True)
            if inserted != n:
                self._conflict(list(zip(columns[0], columns[1], strict=True)), None)

    def _write_received_events(self, tables: Sequence) -> None:
        """The PO_RECEIVED event of each Plan.received_orders row, as ``_write_events`` writes table.create's."""
        for table in tables:
            n = table.num_rows
            if not n:
                continue
            revision = OrderRecord("", "", OrderState.RECEIVED).revision

            def same(value, n: int = n):
                return itertools.repeat(value, n)

            columns = [self._next_ids("event", n), table["partner"].to_pylist(), table["po_number"].to_pylist(),
                       table["updated_at"].to_pylist(), same(Clock.RUN.value), same(EventKind.PO_RECEIVED.value),
                       same(None), same(OrderState.RECEIVED.value), same(revision), same("system"),
                       table["note"].to_pylist(), table["run_id"].to_pylist(), same(None)]
            if self.dialect.name == "sqlite":  # the columns every PO_RECEIVED event has alike: literals
                self._insert_columns("order_events", EVENT_COLUMNS, columns, literal=_fixed_literals(EVENT_COLUMNS, {
                    "clock": Clock.RUN.value, "event": EventKind.PO_RECEIVED.value, "from_state": None,
                    "to_state": OrderState.RECEIVED.value, "revision": revision, "actor": "system",
                    "document_id": None}))
            else:
                self._insert_tuples("order_events", EVENT_COLUMNS, list(zip(*columns, strict=True)))

    def _insert_rows(self, name: str, columns: Sequence[str], table, *, conflict: str = "", order=None,
                     by: str | None = None, bound_columns: Collection[str] = ()) -> None:
        """Insert an Arrow table's rows (in order) with many rows per statement: a column with one value
        (or only nulls) in every row is written as a literal, not bound per row (executemany binding
        every value of every row costs 4x more on a 200,000-line intake). ``conflict``: an ON CONFLICT
        clause ending each statement (no key twice in the table: PostgreSQL refuses one row updated twice
        by a statement). ``order``: the rows' indices in the order to write them (taken a slice at a time:
        no reordered copy of the table; only those rows written). ``by``: a column whose rows of each
        value are written apart (values in order, null last), each group's own constant columns as
        literals (an exception's type leaves half its columns empty: 120,000 exceptions, 0.8 -> 0.6 s).
        ``bound_columns``: bound per row even when every row holds one value (as _insert_columns')."""
        n = table.num_rows if order is None else len(order)
        if not n:
            return
        if self.dialect.name != "sqlite" and not conflict:  # COPY cannot update a stored row: an upsert inserts
            self._copy_table(name, columns, table if order is None else table.take(order))
            return
        if by is not None:
            import pyarrow as pa
            import pyarrow.compute as pc

            rows = pa.array(range(n), pa.int64()) if order is None else order
            keys = table[by] if order is None else pc.take(table[by], order)
            for value in pc.unique(keys).sort(null_placement="at_end").to_pylist():
                chosen = pc.is_null(keys) if value is None else pc.fill_null(pc.equal(keys, value), False)
                self._insert_rows(name, columns, table, conflict=conflict, order=rows.filter(chosen))
            return
        literal = _column_literals(table, [c for c in columns if c not in bound_columns], order)
        bound = [c for c in columns if c not in literal]
        one = "(" + ",".join(literal.get(c, "?") for c in columns) + ")"
        head = f"{self.dialect.insert_rows} {name} ({', '.join(columns)}) VALUES "
        per = max(1, min(500, 30_000 // max(1, len(bound))))  # under SQLite's and PostgreSQL's parameter limits
        # up to 20,000 rows read into Python at a time, fewer for a wide table (~140,000 values: not a million)
        chunk = max(per, min(20_000, FLAT_VALUES // max(1, len(bound))))
        batches = _flat_batches(table, bound, per, chunk, order=order)
        full, rest = divmod(n, per)
        if full:
            self._many(head + ",".join([one] * per) + conflict, itertools.islice(batches, full))
        if rest:
            self._q(head + ",".join([one] * rest) + conflict, next(batches))

    def _update_from(self, name: str, names: Sequence[str], rows: Sequence[Sequence], sets: str, where: str, *,
                     ints: Sequence[str] = ()) -> int:
        """PostgreSQL: one UPDATE of ``name`` joined with ``rows`` (tuples in ``names``' order, each row's
        key once) passed as one array per column (unnest: ``ints`` bigint, the others text; sent in binary,
        %b: a 100,000-line array is not escaped value by value), seen as ``v``; the rows changed."""
        arrays = ", ".join("%b::bigint[]" if c in ints else "%b::text[]" for c in names)
        columns = [list(c) for c in zip(*rows, strict=True)]
        with self._direct_write(name):  # psycopg's own placeholders: not Dialect.sql's ? -> %s
            return self._db.executemany(f"UPDATE {name} SET {sets} FROM unnest({arrays}) AS v({', '.join(names)})"
                                        f" WHERE {where}", [columns]).rowcount

    def _copy_table(self, name: str, columns: Sequence[str], table) -> None:
        """PostgreSQL: an Arrow table's rows (strings and integers) in one COPY ... FROM STDIN, as CSV with
        every value quoted (an empty string stays one; only a null, unquoted, is NULL)."""
        import io

        import pyarrow.csv as pcsv

        block = io.BytesIO()
        pcsv.write_csv(table.select(list(columns)), block,
                       pcsv.WriteOptions(include_header=False, quoting_style="all_valid"))
        with self._direct_write(name):
            self._db.copy_in(name, f"COPY {name} ({', '.join(columns)}) FROM STDIN (FORMAT csv)", block.getvalue())

    def _insert_many(self, name: str, columns: Sequence[str], rows: Iterable[Sequence], *, new: bool = False) -> int:
        """INSERT of many rows (tuples in ``columns``' order); the rows written. ``new``: rows whose key
        is stored already are skipped (ON CONFLICT DO NOTHING; on PostgreSQL none is written then, the
        caller sees fewer rows than it gave and raises its StateConflict). PostgreSQL copies them (COPY
        ... FROM STDIN, one statement), SQLite binds them per row (executemany)."""
        if self.dialect.name != "sqlite":
            with self._direct_write(name):
                return self._db.copy_in(name, f"COPY {name} ({', '.join(columns)}) FROM STDIN", rows, new=new)
        return self._many(f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({','.join('?' * len(columns))})"
                          + (" ON CONFLICT DO NOTHING" if new else ""), rows)

    def _conflict(self, keys: list[tuple[str, str]], expected: dict | None) -> None:
        found = {(p, po): (s, r) for p, po, s, r in self._by_keys(
            "SELECT partner, po_number, state, revision FROM orders WHERE", keys, "")}
        if expected is None:
            clash = [k for k in keys if k in found]
            detail = ", ".join(f"{p}/{po} exists ({found[(p, po)][0]})" for p, po in clash[:5])
        else:
            clash = [k for k in keys if found.get(k) != expected[k]]
            detail = ", ".join(f"{p}/{po} is {found.get((p, po), ('missing', 0))[0]} r{found.get((p, po), ('', 0))[1]}"
                               f", expected {expected[(p, po)][0]} r{expected[(p, po)][1]}" for p, po in clash[:5])
        raise StateConflict("another run or person changed these orders first; nothing was written: " + detail,
                            orders=len(clash))

    def _write_lines(self, plan: Plan) -> None:
        insert = f"INSERT INTO order_lines ({', '.join(LINE_COLUMNS)}) VALUES ({','.join('?' * len(LINE_COLUMNS))})"
        for table in plan.line_tables:  # columnar: every line of the orders it names
            if self._rewrite_changed(table):
                continue
            # rewritten whole (decide's lines): updated in place instead, after reading their keys, cost more (s30:
            # decide.apply 2.12 -> 2.44 s CPU): every line's sku changes, and moving 200,000 sku index entries alone
            # (0.7 s) costs about what the DELETE and INSERT of the lines do together (0.3 + 0.6 s). s36 (CPU s, 10,000
            # POs): with intake's rows already holding decide's sku, the UPDATE of the changed columns by row
            # address saves ~0.15 but line_table_for's read of the rows and addresses costs 0.47-0.56; a REPLACE
            # upsert and rows fed as JSON (json_each) cost more; every DELETE form costs the same B-tree work (~0.27).
            # Not writing a new order's received lines at intake would save ~0.4 there and ~0.25 here, but every
            # reader between intake and decide (later files' 850/860s, decide's lines for 860s, held orders, status,
            # console, reports, rebuild, a crash between) reads them here (tests/test_received_lines_unread.py)
            # s38 (CPU s, 200,000 lines, SQLite 3.40): DELETE ~0.35, INSERT ~1.0 (building and binding the values ~0.45
            # of it, the B-tree work the rest). The lines bound into a TEMP table then UPDATEd in place (the non-indexed
            # columns, then sku and run_id where they differ) cost 2.3 against 1.5; rows fed as JSON arrays (json_each,
            # ->>) 0.67 against 0.23 bound; deleting and inserting 500 orders at a time, or a 256 MiB cache, the same.
            # Of DELETE and INSERT, the sku index costs 0.3-0.45 (intake's '' moved to decide's SKU), run_id's ~0.1
            # s45 (CPU s, SQLite 3.40, the 4x bench's 200,000 lines on a copy of intake's store; DELETE 0.24 + INSERT
            # 0.50-0.55 as here, 7 of 23 columns bound): against the DELETE and INSERT's 1.1-1.15 with every column
            # bound, an UPDATE ... FROM (VALUES ...) on the key of the 13 columns decide sets, 100 lines a statement,
            # 1.36 (0.95 without sku: its index move is the cost), each row replacing its stored one (the OR REPLACE
            # conflict clause) 1.25, ON CONFLICT DO UPDATE 1.21; order_lines clustered on its key (no row address)
            # 0.86 against 0.78-0.81 as here; 8 or 16 KiB pages 5% less; binding the keys alone (every other value a
            # literal) 0.29 of the INSERT's 0.50: the B-tree work of the table, its key and the sku and run_id
            # indexes is the floor of a rewrite
            # s55 (CPU s, the same copy, min of 2, busy machine): decide's UPDATE of only the 6 columns it changes
            # (sku, state, ack, allocated, warehouses, reason), 100 lines a statement by row address with no read
            # (the row addresses intake's INSERT gave, known without asking) 1.65-1.72 against the DELETE and INSERT's
            # 1.73-1.80 (its WAL 24 MB against 32); without sku 0.75: moving 200,000 sku index entries from ''
            # is the cost either way. The sku index partial (WHERE sku <> ''; intake's rows not in it): the rewrite
            # 1.56-1.65 and intake's INSERT 0.82-0.84 against 0.86-0.92. Neither built: an UPDATE that trusts rows
            # written by intake's connection needs a version of order_lines another connection can check (SQLite's
            # data_version is the connection's own), and ~0.1-0.2 s did not pay a schema step
            self._by_keys("DELETE FROM order_lines WHERE", _order_keys(table), "")  # CHUNK orders a statement
            self._insert_rows("order_lines", LINE_COLUMNS, table)
        last = {(ol.partner, ol.po_number): ol.lines for ol in plan.lines}
        if not last:
            return
        self._many("DELETE FROM order_lines WHERE partner=? AND po_number=?", list(last))
        self._many(insert, [_line_row(ln) for lines in last.values() for ln in lines])

    def _lines_version(self) -> tuple[int, int] | None:
        """What the stored lines are now (SQLite): another connection's commits (data_version) and this
        one's writes to order_lines; None on PostgreSQL."""
        if self.dialect.name != "sqlite":
            return None
        with self._lock, _edge(self.path):  # (SQLite's own setting: on the connection, as the others)
            return (
                self._db.execute("PRAGMA data_version").fetchone()[0], self._line_writes)

    def _rewrite_changed(self, table: pa.Table) -> bool:
        """Plan.line_tables' ``table`` (every line of the orders it names) written as changes to the lines
        line_table_for read last, when those are still what is stored (nothing wrote order_lines since,
        on this connection or another) and they cover its orders: each changed line gets only its
        changed columns set (a shipped line: state and shipped; its other columns, its key and sku and
        run_id index entries untouched), a new line inserted, a line gone deleted. False (nothing
        written) when that read cannot be used: the caller rewrites the orders' lines whole."""
        read, self._lines_read = self._lines_read, None  # used once (not held after: a night's lines)
        if read is None or self.dialect.name != "sqlite" or not table.num_rows:
            return False
        orders, stored, version, addresses = read
        if version != self._lines_version() or [(f.name, f.type) for f in table.schema] != [
                (f.name, f.type) for f in stored.schema]:  # LINE_ROWS both (a column's nullability aside)
            return False
        keys = _order_keys(table)
        if not orders.issuperset(keys):
            return False
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        key = ["partner", "po_number", "line_number"]
        if len(keys) != len(orders):  # only the stored lines of the table's orders
            named = pa.table({"partner": [k[0] for k in keys], "po_number": [k[1] for k in keys]},
                             schema=stored.select(["partner", "po_number"]).schema)
            picked = stored.append_column("_s", pa.array(np.arange(stored.num_rows), pa.int64())).join(
                named, ["partner", "po_number"], join_type="left semi", use_threads=False).sort_by("_s")
            stored, addresses = picked.drop_columns(["_s"]), addresses.take(picked["_s"])
        gone = added = None
        if all(table[c].equals(stored[c]) for c in key):  # the lines read, in the order read
            new, old, at = table, stored, addresses
        else:
            new = table.select(key).append_column("_t", pa.array(np.arange(table.num_rows), pa.int64()))
            old = stored.select(key).append_column("_s", pa.array(np.arange(stored.num_rows), pa.int64()))
            pairs = new.join(old, key, join_type="full outer", use_threads=False)
            t, o = pairs["_t"], pairs["_s"]
            if any(pc.count_distinct(x).as_py() != pc.count(x).as_py() for x in (t, o)):
                return False  # a line twice in the table: the rewrite says what is wrong (its key, once)
            both = pc.and_(pc.is_valid(t), pc.is_valid(o))
            kept = pc.filter(o, both)
            new, old, at = table.take(pc.filter(t, both)), stored.take(kept), addresses.take(kept)
            gone, added = pc.filter(o, pc.is_null(t)), pc.filter(t, pc.is_null(o))
        changed, rows = [], None
        for c in LINE_COLUMNS[3:]:
            a, b = new[c], old[c]
            if a.equals(b):  # (nulls where the other's are)
                continue
            same = pc.or_(pc.fill_null(pc.equal(a, b), False), pc.and_(pc.is_null(a), pc.is_null(b)))
            changed.append(c)
            rows = pc.invert(same) if rows is None else pc.or_(rows, pc.invert(same))
        if changed:
            which = new.filter(rows)
            if self._update_columns(which, changed, pc.filter(at, rows)) != which.num_rows:  # not what was read
                return False  # after all: every line of the orders rewritten
        if gone is not None and len(gone):
            self._many("DELETE FROM order_lines WHERE partner=? AND po_number=? AND line_number=?",
                       list(zip(*(stored[c].take(gone).to_pylist() for c in key), strict=True)))
        if added is not None and len(added):  # in the table's order
            self._insert_rows("order_lines", LINE_COLUMNS, table.take(np.sort(added.to_numpy())))
        return True

    def _update_columns(self, rows: pa.Table, columns: Sequence[str], addresses: pa.Array) -> int:
        """SQLite: ``columns`` of order lines set from ``rows`` (LINE_ROWS, stored lines), each line found at
        its ``addresses`` (Dialect.row_address, as line_table_for read them: the table itself searched, not its
        key's index too), a
        hundred lines per UPDATE ... FROM (VALUES ...), a column with one value in every row written as a
        literal (as _insert_rows writes one); the lines changed."""
        import pyarrow as pa

        literal = _column_literals(rows, columns)
        bound = [c for c in columns if c not in literal]
        sets = ", ".join(f"{c}={literal[c]}" if c in literal else f"{c}=v.column{bound.index(c) + 2}" for c in columns)
        k = 1 + len(bound)
        per, n, flat = 100, 0, itertools.chain.from_iterable

        def statement(count: int) -> str:
            return (f"UPDATE order_lines SET {sets} FROM (VALUES " + ",".join(["(" + ",".join("?" * k) + ")"] * count)
                    + f") AS v WHERE order_lines.{self.dialect.row_address}=v.column1")
        at = addresses if isinstance(addresses, pa.ChunkedArray) else pa.chunked_array([addresses], pa.int64())
        values = list(_rows_of(rows.select(bound).add_column(0, "_at", at), ("_at", *bound)))
        full = len(values) - len(values) % per
        if full:
            n += self._many(statement(per), (list(flat(values[i:i + per])) for i in range(0, full, per)))
        if len(values) > full:
            n += self._many(statement(len(values) - full), [list(flat(values[full:]))])
        return n

    def _update_lines(self, plan: Plan) -> None:
        """Plan.line_updates (and line_update_tables, the same as columns: one table's bound values read
        straight from its columns): each line's state, invoiced and run_id columns only (an 810's lines: the
        order's other lines and columns are not rewritten; on SQLite a hundred lines per statement, and
        run_id - indexed - left as it is where it already holds the run: the lines this run shipped); a
        line that is not stored is an error (StateConflict: nothing is written)."""
        if not plan.line_updates and not plan.line_update_tables:
            return
        names = ("partner", "po_number", "line_number", "state", "invoiced", "run_id")
        tables = plan.line_update_tables
        one_table = self.dialect.name == "sqlite" and len(tables) == 1 and not plan.line_updates
        if not one_table:  # as rows: a line once, its last update (the tables' after line_updates)
            updates = list({u[:3]: u for u in itertools.chain(plan.line_updates, *(
                zip(*(t[c].to_pylist() for c in names), strict=True) for t in tables))}.values())
        if self.dialect.name != "sqlite":  # one statement joined with the updates as arrays
            n = self._update_from("order_lines", names, updates, "state=v.state, invoiced=v.invoiced, run_id=v.run_id",
                                  "order_lines.partner=v.partner AND order_lines.po_number=v.po_number AND"
                                  " order_lines.line_number=v.line_number", ints=("line_number",))
            expected = len(updates)
        else:  # many lines per statement, joined with their VALUES (an 810 run updates 100,000 lines)
            # partner, state, invoiced or run_id the same in every update: a literal, not bound per line
            if one_table:  # the 810s' lines as columns, each line once: bound values straight from them
                (table,) = tables
                literal = _column_literals(table, [names[i] for i in (0, 3, 4, 5)])  # as _insert_rows finds them
                fixed = {i: literal[names[i]] for i in (0, 3, 4, 5) if names[i] in literal}
            else:
                fixed = {i: text for i in (0, 3, 4, 5) if (text := _same_literal(updates, i)) is not None}
            bound = [i for i in range(6) if i not in fixed]  # (PO and line number always)
            rows = (list(zip(*(table[names[i]].to_pylist() for i in bound), strict=True)) if one_table
                    else list(map(operator.itemgetter(*bound), updates)))
            n, expected = self._update_lines_joined(fixed, bound, rows), len(rows)
        if n != expected:
            raise StateConflict("order lines to update are not stored; nothing was written", expected=expected, found=n)

    def _update_lines_joined(self, fixed: dict[int, str], bound: list[int], rows: list[tuple]) -> int:
        """_update_lines on SQLite, a hundred lines per UPDATE ... FROM (VALUES ...); the lines changed.
        A line whose run_id is already the update's keeps it untouched (SET run_id rewrites the
        order_lines_run entry even to the same value: a quarter of the statement's cost); the others
        of a hundred get theirs set by a second statement, and from then on every hundred lines is set
        in one statement (a second lookup of each line costs more than the index entries it spares:
        lines invoiced by a later run than shipped them, closed lines, keep the cost they had)."""
        statements: dict[tuple[int, str], str] = {}
        # ``fixed``: partner, state, invoiced or run_id the same in every update (a literal, not bound per line);
        # ``rows``: each line's other values (``bound``: their places in a line update; PO and line number always)
        v = [fixed[i] if i in fixed else f"v.column{bound.index(i) + 1}" for i in range(6)]
        width = len(bound)

        def joined(k: int, how: str) -> str:
            sql = statements.get((k, how))
            if sql is None:
                sql = statements[(k, how)] = (
                    f"UPDATE order_lines SET state={v[3]}, invoiced={v[4]}" + ("" if how == "kept" else
                                                                               f", run_id={v[5]}")
                    + " FROM (VALUES " + ",".join(["(" + ",".join("?" * width) + ")"] * k) + ") AS v WHERE"
                    f" order_lines.partner={v[0]} AND order_lines.po_number={v[1]} AND order_lines.line_number={v[2]}"
                    + {"kept": f" AND order_lines.run_id IS {v[5]}", "others": f" AND order_lines.run_id IS NOT {v[5]}",
                       "all": ""}[how])
            return sql

        # (s52: 500 or 1,000 lines a statement cost the same as 100 - 0.58-0.71 s CPU for a night's 100,000
        # invoiced lines, the statements alone, rolled back; one plain UPDATE per line bound by executemany 0.89-0.98)
        per, flat = 100, itertools.chain.from_iterable
        n, keep = 0, True
        for i in range(0, len(rows), per):
            values = list(flat(rows[i:i + per]))
            k = len(values) // width
            if not keep:
                n += self._many(joined(k, "all"), [values])
                continue
            kept = self._many(joined(k, "kept"), [values])
            n += kept
            if kept < k:
                n += self._many(joined(k, "others"), [values])
                keep = False
        return n

    def _write_reservations(self, plan: Plan, run: str) -> None:
        insert = f"INSERT INTO reservations ({', '.join(RESERVATION_COLUMNS)}) VALUES (?,?,?,?,?,?,?)"
        # s38: decide's reservations copied from the lines just written (INSERT ... SELECT, a chunk of orders a
        # statement) cost 0.15-0.21 s CPU against 0.23 bound for 200,000 rows, and finding in Arrow the orders
        # whose reservations are exactly their lines' allocation ~0.2 more: bound as they are
        for table in plan.reservation_tables:  # columnar: every reservation of the orders it names
            import pyarrow as pa  # only when a plan carries tables (status/console never load it)

            keys = table.keys
            self._by_keys("DELETE FROM reservations WHERE",
                          zip(keys["partner"].to_pylist(), keys["po_number"].to_pylist(), strict=True), "")
            rows = table.rows.append_column("run_id", pa.array([run] * table.rows.num_rows, pa.string()))
            self._insert_rows("reservations", RESERVATION_COLUMNS, rows)  # many rows per statement
        last = {(r.partner, r.po_number): r.rows for r in plan.reservations}
        if not last:
            return
        self._many("DELETE FROM reservations WHERE partner=? AND po_number=?", list(last))
        self._many(insert,
                   [(r.partner, r.po_number, r.line_number, r.warehouse, r.sku, int(r.quantity), run)
                    for rows in last.values() for r in rows])

    def _write_changes(self, plan: Plan) -> None:
        if plan.new_changes:
            ids = self._next_ids("change", len(plan.new_changes))
            self._many("INSERT INTO pending_changes (id, partner, po_number, change_ref, store_key, source_file,"
                       " received_at, status, base_key, revision) VALUES (?,?,?,?,?,?,?,'pending','',0)"
                       " ON CONFLICT (partner, store_key, change_ref) DO NOTHING",
                       [(i, c.partner, c.po_number, c.change_ref, c.store_key, c.source_file, c.received_at)
                        for i, c in zip(ids, plan.new_changes, strict=True)])
        if plan.change_updates:
            self._many("UPDATE pending_changes SET status=? WHERE id=?",
                       [(u.status, u.change_id) for u in plan.change_updates])
            self._many("UPDATE pending_changes SET base_key=?, revision=? WHERE id=?",
                       [(u.base_key, u.revision, u.change_id) for u in plan.change_updates if u.base_key])

    def _write_events(self, plan: Plan, applied: Applied) -> None:
        """The history events of ``transitions`` then of ``decided`` (DECIDED_EVENTS, many rows per
        statement as _insert_rows writes them), numbered in that order."""
        text = str.__str__  # a StrEnum's text by str's own __str__ (Enum's .value property is slow)
        events = [(e.partner, e.po_number, e.at, text(e.clock), text(e.event),
                   text(e.from_state) if e.from_state else None, text(e.to_state), e.revision, e.actor, e.note,
                   e.run_id, e.document_key) for t in plan.transitions for e in t.events]
        decided = [(d.events, d.events["partner"].to_pylist(), d.events["document_key"].to_pylist())
                   for d in plan.decided if d.events.num_rows]
        linked = [(e[0], e[-1]) for e in events if e[-1]] + [
            (p, k) for _, partners, keys in decided for p, k in zip(partners, keys, strict=True) if k]
        missing = [k for k in linked if k not in applied.document_ids or not applied.document_ids[k]]
        if missing:
            applied.document_ids.update(self._document_ids(missing))
        ids = applied.document_ids
        if events:
            seqs = self._next_ids("event", len(events))
            self._insert_tuples("order_events", EVENT_COLUMNS, [(seq, *e[:-1], ids.get((e[0], e[-1])) or None)
                                                                for seq, e in zip(seqs, events, strict=True)])
        if decided:
            import pyarrow as pa  # only when a plan carries tables (status/console never load it)
        for table, partners, keys in decided:
            rows = pa.table({"seq": pa.array(self._next_ids("event", table.num_rows), pa.int64()),
                             **{c: table[c] for c in EVENT_COLUMNS[1:-1]},
                             "document_id": pa.array([ids.get((p, k)) or None if k else None
                                                      for p, k in zip(partners, keys, strict=True)], pa.int64())})
            # (an 856 document per confirmation file: its id bound, so each file's events share one statement)
            self._insert_rows("order_events", EVENT_COLUMNS, rows, bound_columns=("document_id",))

    def _document_ids(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
        out = {}
        for partner, key in dict.fromkeys(keys):
            rows = self._q("SELECT document_id FROM document_sets WHERE partner=? AND doc_key=?", (partner, key))
            if rows:
                out[(partner, key)] = rows[0][0]
        return out

    def _write_shipments(self, plan: Plan) -> None:
        if plan.shipments:  # many rows per statement (a night's 856s carry 100,000 lines)
            text = _dtexts()
            if self.dialect.name != "sqlite":  # one COPY per table
                self._insert_tuples("shipments", SHIPMENT_COLUMNS, [_shipment_row(r) for r in plan.shipments])
                self._insert_tuples("cartons", CARTON_COLUMNS, _carton_rows(plan.shipments, text))
                self._insert_tuples("shipment_lines", SHIPPED_LINE_COLUMNS, _shipped_line_rows(plan.shipments, text))
            else:  # as columns: a column with one value in every row (the warehouse, the partner, a night's one
                # ship date ...) written as a literal, the others bound per row (and the file's lineage: FILE_LINEAGE)
                self._insert_columns("shipments", SHIPMENT_COLUMNS,
                                     [list(c) for c in zip(*map(_shipment_row, plan.shipments), strict=True)],
                                     bound_columns=FILE_LINEAGE)  # each file's own: one statement for every file
                cartons = _carton_rows(plan.shipments, text)
                if cartons:
                    self._insert_columns("cartons", CARTON_COLUMNS, [list(c) for c in zip(*cartons, strict=True)])
                self._insert_columns("shipment_lines", SHIPPED_LINE_COLUMNS,
                                     _shipped_line_columns(plan.shipments, text))
            serials = [(serial, sku, r.warehouse, r.shipment_id, r.partner, po, line_id or None, r.run_id or None)
                       for r in plan.shipments for po, line_id, sku, serial in r.serial_numbers]
            if serials:  # a serial kept once per item: the first shipment of it (the checks held any other)
                self._many("INSERT INTO shipped_serials (serial, sku, warehouse, shipment_id, partner, po_number,"
                           " line_id, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (serial, sku) DO NOTHING",
                           serials)
        if plan.billed:
            self._many("UPDATE shipments SET billing='invoiced' WHERE warehouse=? AND shipment_id=?", plan.billed)

    def _insert_columns(self, name: str, columns: Sequence[str], values: Sequence[Iterable], *,
                        literal: Mapping[int, str] | None = None, new: bool = False,
                        bound_columns: Collection[str] = ()) -> int:
        """SQLite: _insert_tuples of rows given as columns (``values``: one sequence per name of ``columns``,
        all of one length), many rows a statement: the rows written. A column holding one value in every row
        (or only nulls) is written as a literal (_same_values: what binding it would store), not bound per row -
        binding every value of a night's 100,000 shipped lines is most of their INSERT's cost. ``literal``
        (index -> SQL literal) names those columns instead (their ``values`` are not read: any iterable, an
        itertools.repeat): the same literals in every call keep each statement's text the same, so SQLite
        prepares it once a run - intake's new orders, 15 of 36 columns alike in every order, where a value of
        one file's own (its name) found by _same_values would make a new statement for every file, and a 500-row
        INSERT's preparing costs more than binding its values. ``new``: each statement ends ON CONFLICT DO
        NOTHING, as _insert_tuples' (a row whose key is stored already is skipped; the caller sees fewer).
        ``bound_columns``: bound per row even when every row holds one value: a value of each call's own (a
        confirmation file's name, its 856's document id), which as a literal would make each file's statement a
        new one to prepare (a 500-row statement: ~4-6 ms, busy machine; its values' binding ~0.05 ms)."""
        if literal is None:
            literal = {i: text for i, column in enumerate(values)
                       if columns[i] not in bound_columns and (text := _same_values(column)) is not None}
        bound = [values[i] if isinstance(values[i], Sequence) else list(values[i])
                 for i in range(len(columns)) if i not in literal]
        if bound:
            n = len(bound[0])
        else:  # every column a literal: the rows counted by a column given as a sequence
            sized = [len(c) for c in values if isinstance(c, Sized)]
            if not sized:
                raise ValueError(f"{name}: every column a literal and none a sequence: how many rows is unknown")
            n = sized[0]
        if not n:
            return 0
        one = "(" + ",".join(literal.get(i, "?") for i in range(len(columns))) + ")"
        head = f"{self.dialect.insert_rows} {name} ({', '.join(columns)}) VALUES "
        tail = " ON CONFLICT DO NOTHING" if new else ""
        per = max(1, min(500, 30_000 // max(1, len(bound))))  # under SQLite's parameter limit
        flat = itertools.chain.from_iterable
        full, written = n - n % per, 0
        if not bound:  # every column one value: rows of literals
            if full:
                written += self._many(head + ",".join([one] * per) + tail, [()] * (full // per))
            if n > full:
                written += self._many(head + ",".join([one] * (n - full)) + tail, [()])
            return written
        if full:
            written += self._many(head + ",".join([one] * per) + tail,
                                  (list(flat(zip(*(c[i:i + per] for c in bound), strict=True)))
                                   for i in range(0, full, per)))
        if n > full:
            written += self._many(head + ",".join([one] * (n - full)) + tail,
                                  [list(flat(zip(*(c[full:] for c in bound), strict=True)))])
        return written

    def _write_invoices(self, plan: Plan) -> None:
        if not plan.invoices:
            return
        text = _dtexts()
        self._insert_tuples("invoices", INVOICE_COLUMNS,
                            [(v.invoice_number, v.partner, v.po_number, v.invoice_date.isoformat(), v.warehouse,
                              v.shipment_id, v.currency, text(v.merchandise), text(v.charges), text(v.total),
                              v.doc_key, v.created_at, v.run_id) for v in plan.invoices])
        lines = _invoice_line_columns(plan.invoices, text)
        if lines and self.dialect.name == "sqlite":
            # as columns: one with a value in every row written as a literal, not bound per row - a night's 100,000
            # lines bill none by weight, and sqlite3 adapts each None it binds (a null bound costs twice a text:
            # their two weight columns were a third of the INSERT); its 500-row statement made once per run, as
            # before (a whole run's lines are one call)
            self._insert_columns("invoice_lines", INVOICE_LINE_COLUMNS, lines)
        elif lines:  # one COPY
            self._insert_tuples("invoice_lines", INVOICE_LINE_COLUMNS, list(zip(*lines, strict=True)))

    def _insert_tuples(self, name: str, columns: Sequence[str], rows: list[tuple], *, new: bool = False) -> int:
        """Insert rows (tuples in ``columns``' order) with many rows per statement (as _insert_rows does
        for an Arrow table): an 810 run's invoice lines, a stage's history events and transaction sets,
        intake's new orders without a statement per row (on PostgreSQL one COPY); the rows written.
        ``new``: as _insert_many's (rows whose key is stored already are skipped: the caller sees fewer)."""
        if self.dialect.name != "sqlite":
            return self._insert_many(name, columns, rows, new=new)
        one = "(" + ",".join("?" * len(columns)) + ")"
        per = max(1, min(500, 30_000 // len(columns)))
        head = f"{self.dialect.insert_rows} {name} ({', '.join(columns)}) VALUES "
        tail = " ON CONFLICT DO NOTHING" if new else ""
        full, n = len(rows) - len(rows) % per, 0
        if full:
            flat = itertools.chain.from_iterable
            n += self._many(head + ",".join([one] * per) + tail,
                            (list(flat(rows[i:i + per])) for i in range(0, full, per)))
        if len(rows) > full:
            n += self._many(head + ",".join([one] * (len(rows) - full)) + tail,
                            [list(itertools.chain.from_iterable(rows[full:]))])
        return n

    def add_findings(self, findings: Sequence[FindingRecord], *, run_id: str) -> None:
        """Record findings of a run (with the order they concern and their consequence)."""
        if not findings:
            return
        ids = self._next_ids("finding", len(findings))
        rows = []
        for i, fr in zip(ids, findings, strict=True):
            f, loc = fr.finding, fr.finding.location
            rows.append((i, run_id, fr.stage, fr.partner, fr.po_number, f.code, f.severity, f.message, loc.file,
                         loc.isa13, loc.gs06, loc.st02, loc.segment_id, loc.segment_position, loc.file_segment,
                         loc.element, loc.value, loc.line_number, loc.loop_id, fr.consequence, loc.row,
                         loc.column or None, *detail_values(f.detail)))
        with self.transaction():
            self._insert_many("findings", (*FINDING_COLUMNS, *FINDING_DETAIL_COLUMNS, *FINDING_SACS_COLUMNS), rows)

    def add_held_lines(self, rows: Sequence[tuple[str, str, str, int | None]], *, run_id: str) -> None:
        """Record the order lines each shipment the ship stage held in this run carries (held_lines, as
        engine.lifecycle.shipping.held_lines gives them: partner, shipment id, PO, line number or None), read with the
        findings that held it by held_shipment_findings."""
        if rows:
            with self.transaction():
                self._insert_many("held_lines", ("run_id", "partner", "shipment_id", "po_number", "line_number"),
                                  [(run_id, *r) for r in rows])

    # --- the dates of open orders, read once from their stored tables (AGED_READS) ------------------
    def kept_order_dates(self, keys: Iterable[tuple[str, str, str]]) -> dict[tuple[str, str, str], list[dict]]:
        """(partner, PO, lines_key) -> the date rows kept for that order's stored table (keep_order_dates), in the
        order they were kept: each a dict of ORDER_DATE_COLUMNS, its dates as datetime.date. Keys none was kept for
        are absent. Read by the orders' keys (the table's key), not by walking it."""
        wanted = set(keys)
        if not wanted:
            return {}
        columns = ", ".join(ORDER_DATE_COLUMNS)
        rows = self._by_keys(f"SELECT partner, po_number, lines_key, position, {columns} FROM order_dates WHERE",
                             {(p, po) for p, po, _k in wanted}, "")
        out: dict[tuple[str, str, str], list[tuple]] = {}
        for partner, po, key, position, *values in rows:
            if (partner, po, key) in wanted:
                out.setdefault((partner, po, key), []).append((position, values))
        return {k: [_order_date_row(v) for _p, v in sorted(got)] for k, got in out.items()}

    def keep_order_dates(self, rows: Mapping[tuple[str, str, str], Sequence[Mapping]], *,
                         keep: Collection[tuple[str, str, str]], partners: Collection[str] | None = None) -> None:
        """Keep each order's date rows (``rows``: (partner, PO, lines_key) -> dicts with ORDER_DATE_COLUMNS' keys,
        absent ones null, in their stored order) and let go those kept for any key not in ``keep`` nor ``rows``
        (an order no longer looked at, or its revision's stored table no longer its own), of ``partners`` alone when
        given (a run of some partners leaves the others'): what is kept is what the last reader asked for, not every
        order ever read."""
        wanted = set(keep) | set(rows)
        stale = [k for k in self._q("SELECT DISTINCT partner, po_number, lines_key FROM order_dates")
                 if tuple(k) not in wanted and (partners is None or k[0] in partners)]
        fresh = [(partner, po, key, n, *(_order_date_value(c, row.get(c)) for c in ORDER_DATE_COLUMNS))
                 for (partner, po, key), kept in sorted(rows.items()) for n, row in enumerate(kept)]
        if not stale and not fresh:
            return
        with self.transaction():
            if stale:
                self._many("DELETE FROM order_dates WHERE partner=? AND po_number=? AND lines_key=?", stale)
            if fresh:
                self._many("DELETE FROM order_dates WHERE partner=? AND po_number=? AND lines_key=?",
                           sorted(rows))
                self._insert_many("order_dates", ("partner", "po_number", "lines_key", "position",
                                                  *ORDER_DATE_COLUMNS), fresh)

    # --- documents ------------------------------------------------------------------------------
    def document_exists(self, partner: str, doc_key: str) -> bool:
        return bool(self._q("SELECT 1 FROM document_sets WHERE partner=? AND doc_key=?", (partner, doc_key)))

    def _docs(self, where: str, args: Sequence) -> list[StoredDocument]:
        rows = self._q("SELECT id, partner, doc_type, file_name, isa13, gs06, content, status, created_at,"
                       " delivered_at, run_id FROM documents WHERE " + where + " ORDER BY id", args)
        if not rows:
            return []
        sets: dict[int, list[tuple]] = {}
        ids = [r[0] for r in rows]
        for i in range(0, len(ids), CHUNK):
            chunk = ids[i:i + CHUNK]
            for s in self._q("SELECT document_id, doc_key, st02, po_number, source_sha256 FROM document_sets WHERE"
                             f" document_id IN ({','.join('?' * len(chunk))}) ORDER BY document_id, position",
                             chunk):
                sets.setdefault(s[0], []).append(s)
        out = []
        for r in rows:
            mine = sets.get(r[0], [])
            out.append(StoredDocument(
                id=r[0], partner=r[1], doc_type=r[2], doc_key=mine[0][1] if mine else "", file_name=r[3],
                isa13=r[4] or "", gs06=r[5] or "", st02=",".join(s[2] for s in mine if s[2]), content=bytes(r[6]),
                status=r[7], source_sha256=mine[0][4] or "" if mine else "",
                po_number=",".join(dict.fromkeys(s[3] for s in mine if s[3])), created_at=r[8] or "",
                delivered_at=r[9] or "", run_id=r[10] or ""))
        return out

    def pending_documents(self, partner: str) -> list[StoredDocument]:
        return self._docs("partner=? AND status='pending'", (partner,))

    def pending_files(self, partner: str, *, chunk: int = 256) -> Iterator[list[PendingFile]]:
        """The partner's pending documents (pending_documents' order) as files, ``chunk`` at a time: one
        chunk's bytes in memory at once, no transaction-set rows read. Each chunk is read when asked
        for (no statement stays open in between, so the caller may mark documents delivered)."""
        heads = self._q("SELECT id, doc_type, file_name, isa13 FROM documents WHERE partner=? AND status='pending'"
                        " ORDER BY id", (partner,))
        for i in range(0, len(heads), min(chunk, CHUNK)):
            part = heads[i:i + min(chunk, CHUNK)]
            content = dict(self._q(f"SELECT id, content FROM documents WHERE status='pending' AND id IN"
                                   f" ({','.join('?' * len(part))})", [h[0] for h in part]))
            yield [PendingFile(h[0], h[1], h[2], h[3] or "", bytes(content[h[0]])) for h in part if h[0] in content]

    # --- a file put in the VAN mailbox's outbound folder, recorded before its rename (flows.documents), in meta ---
    def stage_put(self, doc_id: int, name: str, *, resend: bool = False) -> None:
        """Record (committed) that the file of the document (``resend``: of the resend ``doc_id``) is wholly written
        under its hidden temporary name and is about to be renamed to ``name``: from now on a missing temporary
        means it was renamed into place."""
        self._q("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value=excluded.value",
                (_put_key(doc_id, resend), name))

    def staged_puts(self, doc_ids: Sequence[int], *, resend: bool = False) -> dict[int, str]:
        """id -> the name recorded by stage_put, for those of ``doc_ids`` staged and not yet marked."""
        if not doc_ids:
            return {}
        keys = [_put_key(i, resend) for i in doc_ids]
        rows = self._q(f"SELECT key, value FROM meta WHERE key IN ({','.join('?' * len(keys))})", keys)
        return {int(k.rsplit(":", 1)[1]): v for k, v in rows}

    def mark_put(self, doc_id: int, at: str, *, resend: bool = False) -> None:
        """The document (``resend``: the resend) delivered and its stage_put record dropped, in one transaction."""
        with self.transaction():
            if resend:
                self.mark_resent(doc_id, at)
            else:
                self._q("UPDATE documents SET status='delivered', delivered_at=? WHERE id=?", (at, doc_id))
            self._q("DELETE FROM meta WHERE key=?", (_put_key(doc_id, resend),))

    # --- the character sets partners' files show (parsers.x12_reader.charset), kept in meta: no migration ---------
    def record_charset(self, partner: str, sha256: str, charset: str) -> None:
        """Keep the character set a partner's X12 file shows (a file read in pieces: the widest of its pieces')."""
        key = _CHARSET + partner + ":" + sha256
        kept = self._q("SELECT value FROM meta WHERE key=?", (key,))
        value = widest([charset, *(kept[0] if kept else ())])
        if not kept or kept[0][0] != value:
            self._q("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value=excluded.value",
                    (key, value))

    def file_charsets(self, partner: str) -> list[tuple[str, str]]:
        """(received_at, character set) of each of the partner's files whose character set is kept, in the order
        they were received (files of one time: the widest last)."""
        rows = self._q(f"SELECT f.received_at, m.value FROM files f JOIN meta m ON m.key = '{_CHARSET}' || f.partner ||"
                       " ':' || f.sha256 WHERE f.partner=?", (partner,))
        return sorted(((r[0], r[1]) for r in rows), key=lambda r: (r[0], _charset_rank(r[1])))

    def answered_charsets(self, partner: str, doc_ids: Sequence[int]) -> dict[int, tuple[str, list[str]]]:
        """For each of ``doc_ids`` (the partner's documents): when it was made and the kept character sets of the
        partner files it answers: its sets' source files (a 997's, an 855's) and their POs' (an 856's, an 810's)."""
        out: dict[int, tuple[str, list[str]]] = {}
        for i in range(0, len(doc_ids), CHUNK):
            part = list(doc_ids[i:i + CHUNK])
            marks = ",".join("?" * len(part))
            for doc_id, created in self._q(f"SELECT id, created_at FROM documents WHERE id IN ({marks})", part):
                out[doc_id] = (created or "", [])
            rows = self._q(
                "SELECT DISTINCT ds.document_id, ds.source_sha256, o.source_sha256 FROM document_sets ds LEFT JOIN"
                " orders o ON o.partner = ds.partner AND o.po_number = ds.po_number WHERE ds.partner=? AND"
                f" ds.document_id IN ({marks})", [partner, *part])
            shas = {sha for r in rows for sha in r[1:] if sha}
            kept: dict[str, str] = {}
            keys = [_CHARSET + partner + ":" + sha for sha in sorted(shas)]
            for j in range(0, len(keys), CHUNK):
                some = keys[j:j + CHUNK]
                kept.update(self._q(f"SELECT key, value FROM meta WHERE key IN ({','.join('?' * len(some))})", some))
            for doc_id, *sources in rows:
                for sha in sources:
                    charset = kept.get(_CHARSET + partner + ":" + (sha or ""))
                    if charset and doc_id in out:
                        out[doc_id][1].append(charset)
        return out

    # --- documents sent again as ops asked (`orderbridge resend`; flows.resend): the resends table ----------------
    def document_heads(self, partner: str, *, ids: Iterable[int] = (), isa13: str = "", file_name: str = "",
                       doc_keys: Iterable[str] = ()) -> list[dict]:
        """The partner's documents (no content) with these ids, this ISA13 (compared by value), this file name or
        holding a set of these keys, oldest first: id, doc_type, file_name, isa13, gs06, st02s, po_numbers, status,
        created_at, delivered_at, run_id."""
        where, args = [], []
        if ids := sorted(set(ids)):
            where.append(f"d.id IN ({','.join('?' * len(ids))})")
            args += ids
        if isa13:
            where.append("d.isa13 = ?")
            args.append(f"{int(isa13):09d}" if isa13.strip().isdigit() else isa13)
        if file_name:
            where.append("d.file_name = ?")
            args.append(file_name)
        if keys := sorted(set(doc_keys)):
            where.append(f"d.id IN (SELECT document_id FROM document_sets WHERE partner=? AND doc_key IN"
                         f" ({','.join('?' * len(keys))}))")
            args += [partner, *keys]
        if not where:
            return []
        cols = ("id", "doc_type", "file_name", "isa13", "gs06", "status", "created_at", "delivered_at", "run_id")
        rows = self._q(f"SELECT {', '.join('d.' + c for c in cols)} FROM documents d WHERE d.partner=? AND"
                       f" ({' OR '.join(where)}) ORDER BY d.id", (partner, *args))
        out = []
        for r in rows:
            d = dict(zip(cols, r, strict=True))
            sets = self._q("SELECT st02, po_number, doc_key FROM document_sets WHERE document_id=? ORDER BY position",
                           (d["id"],))
            out.append({**d, "isa13": d["isa13"] or "", "gs06": d["gs06"] or "",
                        "st02s": [s[0] for s in sets if s[0]], "doc_keys": [s[2] for s in sets],
                        "po_numbers": list(dict.fromkeys(s[1] for s in sets if s[1]))})
        return out

    def record_resend(self, partner: str, document_id: int, *, doc_type: str, folder: str, by: str, note: str,
                      at: str, run_id: str, file_name: str = "", content: bytes = b"",
                      renumber: Callable[[int, int], tuple[str, bytes]] | None = None,
                      sequence: str | None = None, past: str | None = None) -> dict:
        """A resend of document ``document_id`` recorded pending, in one transaction: the kept copy
        (``file_name``, ``content``) as it is, or with ``renumber`` a new ISA13 and GS06 taken from the
        partner's counters (``sequence``: that partner's, the one whose envelope it goes under: [continues]; moved
        past ``past``'s first, numbers_past; never given back, never reused) and renumber(isa13, gs06) -> (file
        name, bytes) stored with them; a crash before the commit takes no number.
        Its resends row (resends_of's keys)."""
        with self.transaction():
            isa13 = gs06 = ""
            if renumber is not None:
                if past:
                    self.numbers_past(sequence or partner, past)
                [n_isa] = self.take_numbers(sequence or partner, "ISA", 1)
                [n_gs] = self.take_numbers(sequence or partner, "GS", 1) if doc_type != "TA1" else [0]
                file_name, content = renumber(n_isa, n_gs)
                isa13, gs06 = f"{n_isa:09d}", str(n_gs or "")
            rid = self._insert_resend(partner, document_id, doc_type=doc_type, renumbered=renumber is not None,
                                      file_name=file_name, folder=folder, isa13=isa13, gs06=gs06, content=content,
                                      by=by, at=at, note=note, run_id=run_id)
        return self.resends_of(partner, ids=[rid])[0]

    def numbered_doc_keys(self, partner: str, doc_type: str, number: str) -> list[str]:
        """The document keys of the partner's 810 with invoice number ``number`` (the invoices table's key) or 856 of
        shipment ``number`` (index shipments_shipment; one per warehouse that shipped under that id): what
        `orderbridge resend --document 810:INV`/`856:ID` names, found without reading the others."""
        if doc_type == "810":
            sql = "SELECT doc_key FROM invoices WHERE invoice_number=? AND partner=?"
        elif doc_type == "856":
            sql = "SELECT asn_doc_key FROM shipments WHERE partner=? AND shipment_id=? ORDER BY warehouse"
        else:
            return []
        args = (number, partner) if doc_type == "810" else (partner, number)
        return [r[0] for r in self._q(sql, args) if r[0]]

    def record_found_resend(self, partner: str, document_id: int, *, doc_type: str, folder: str, file_name: str,
                            isa13: str, gs06: str, content: bytes, at: str, run_id: str) -> dict:
        """A resend under new control numbers found in an outbox by `state rebuild` (flows.rebuild: the same sets
        as document ``document_id`` in another envelope): recorded delivered at ``at``, asked by "state rebuild"
        (who asked and why are in no file). Its resends row."""
        with self.transaction():
            rid = self._insert_resend(partner, document_id, doc_type=doc_type, renumbered=True, file_name=file_name,
                                      folder=folder, isa13=isa13, gs06=gs06, content=content, by="state rebuild",
                                      at=at, note="found in the outbox when the store was rebuilt: the same sets "
                                      "as the document in another envelope", run_id=run_id, delivered=True)
        return self.resends_of(partner, ids=[rid])[0]

    def _insert_resend(self, partner: str, document_id: int, *, doc_type: str, renumbered: bool, file_name: str,
                       folder: str, isa13: str, gs06: str, content: bytes, by: str, at: str, note: str, run_id: str,
                       delivered: bool = False) -> int:
        """A resends row (pending, or ``delivered`` at ``at``), inside the caller's transaction; its id. Numbers
        not given are the document's own (a byte-for-byte resend)."""
        [(rid,)] = self._q("SELECT COALESCE(MAX(id), 0) + 1 FROM resends")
        [(was_isa, was_gs)] = self._q("SELECT isa13, gs06 FROM documents WHERE id=?", (document_id,))
        st02s = ",".join(r[0] for r in self._q("SELECT st02 FROM document_sets WHERE document_id=? ORDER BY"
                                              " position", (document_id,)) if r[0])
        self._q("INSERT INTO resends (id, partner, document_id, doc_type, renumbered, file_name, folder, isa13,"
                " gs06, st02s, content, status, asked_by, asked_at, note, delivered_at, run_id) VALUES"
                " (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (rid, partner, document_id, doc_type, 1 if renumbered else 0, file_name, folder,
                 isa13 or was_isa or "", gs06 or was_gs or "", st02s, content,
                 "delivered" if delivered else "pending", by, at, note, at if delivered else None, run_id))
        return rid

    RESEND_COLUMNS = ("id", "partner", "document_id", "doc_type", "renumbered", "file_name", "folder", "isa13", "gs06",
                      "st02s", "status", "asked_by", "asked_at", "note", "delivered_at", "run_id")

    def resends_of(self, partner: str, *, ids: Iterable[int] = (), document_ids: Iterable[int] = (),
                   pending: bool = False) -> list[dict]:
        """The partner's resends (RESEND_COLUMNS, no content) with these ids, of these documents, or (``pending``)
        not yet delivered, in the order asked."""
        where, args = [], []
        for column, values in (("id", sorted(set(ids))), ("document_id", sorted(set(document_ids)))):
            if values:
                where.append(f"{column} IN ({','.join('?' * len(values))})")
                args += values
        if pending:
            where.append("status='pending'")
        if not where:
            return []
        rows = self._q(f"SELECT {', '.join(self.RESEND_COLUMNS)} FROM resends WHERE partner=? AND"
                       f" ({' OR '.join(where)}) ORDER BY id", (partner, *args))
        return [dict(zip(self.RESEND_COLUMNS, r, strict=True)) for r in rows]

    def resends(self, partner: str | None = None) -> list[dict]:
        """Every resend (of ``partner``), in the order asked: the resend log (RESEND_COLUMNS, no content)."""
        rows = self._q(f"SELECT {', '.join(self.RESEND_COLUMNS)} FROM resends" + (" WHERE partner=?" if partner else "")
                       + " ORDER BY id", (partner,) if partner else ())
        return [dict(zip(self.RESEND_COLUMNS, r, strict=True)) for r in rows]

    def resend_content(self, resend_id: int) -> bytes:
        return bytes(self._q("SELECT content FROM resends WHERE id=?", (resend_id,))[0][0])

    def mark_resent(self, resend_id: int, at: str) -> None:
        """A resend's file is in the partner's outbox (written and, on a local drop, its folder synced)."""
        self._q("UPDATE resends SET status='delivered', delivered_at=? WHERE id=? AND status='pending'",
                (at, resend_id))

    def resent_numbers(self) -> list[tuple[str, int, str, str, str, str]]:
        """(partner, document id, ISA13, GS06, file name, delivered_at) of each delivered resend under new control
        numbers, the latest of a document's last: what the partner now answers for the document's sets."""
        if "resends" not in self._table_names():
            return []
        return [tuple(r) for r in self._q("SELECT partner, document_id, isa13, gs06, file_name, delivered_at FROM"
                                          " resends WHERE status='delivered' AND renumbered=1 ORDER BY id")]

    def has_pending(self, partner: str, *, held: bool = False) -> bool:
        """Whether the partner has a document waiting for delivery, or with ``held`` one pending or held
        (what its delivery looks at); no document read."""
        return bool(self._q("SELECT 1 FROM documents WHERE partner=? AND status IN ('pending', ?) LIMIT 1",
                            (partner, HELD if held else "pending"))) or \
            bool(self._q("SELECT 1 FROM resends WHERE partner=? AND status='pending' LIMIT 1", (partner,)))

    def document_content(self, doc_id: int) -> bytes | None:
        """The bytes of one stored document (None: no such document)."""
        rows = self._q("SELECT content FROM documents WHERE id=?", (doc_id,))
        return bytes(rows[0][0]) if rows else None

    def documents(self, partner: str | None = None) -> list[StoredDocument]:
        return self._docs("partner=?", (partner,)) if partner else self._docs("1=1", ())

    def mark_delivered(self, doc_id: int, at: str) -> None:
        self._q("UPDATE documents SET status='delivered', delivered_at=? WHERE id=?", (at, doc_id))

    def mark_delivered_many(self, doc_ids: Sequence[int], at: str) -> None:
        """mark_delivered for many documents, in one transaction."""
        with self.transaction():
            if self.dialect.name != "sqlite" and doc_ids:  # one statement (a night may deliver 10,000 files)
                self._update_from("documents", ("delivered_at", "id"), [(at, i) for i in doc_ids],
                                  "status='delivered', delivered_at=v.delivered_at", "documents.id=v.id", ints=("id",))
                return
            self._many("UPDATE documents SET status='delivered', delivered_at=? WHERE id=?",
                       [(at, i) for i in doc_ids])

    def answers_to_file(self, partner: str, sha256: str) -> list[dict]:
        """The 997s and TA1s sent to ``partner`` (a warehouse's party: its 945s' answers) answering the received file
        ``sha256``, oldest first."""
        cols = ("d.id", "d.doc_type", "d.file_name", "d.isa13", "s.gs06", "s.st02", "s.doc_key", "d.status",
                "d.created_at", "d.delivered_at", "s.answers_isa13", "s.answers_gs06")
        rows = self._q(f"SELECT {', '.join(cols)} FROM document_sets s JOIN documents d ON d.id = s.document_id"
                       " WHERE s.partner=? AND s.source_sha256=? AND d.doc_type IN ('997', 'TA1') ORDER BY d.id",
                       (partner, sha256))
        keys = [c.split(".")[1] for c in cols]
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def documents_for_order(self, partner: str, po_number: str) -> list[dict]:
        """Every transaction set sent for the order: its 855s, 865s, 856s and 810s (and CSV
        acknowledgments), and the 997s and TA1s that answered the interchanges and groups its 850 and
        860s came in (oldest first)."""
        record = self.order(partner, po_number)
        shas = {record.source_sha256} if record else set()
        shas |= {c.store_key for c in self.pending_changes(statuses=None, keys=[(partner, po_number)])}
        cols = ("d.id", "d.doc_type", "d.file_name", "d.isa13", "s.gs06", "s.st02", "s.doc_key", "d.status",
                "d.created_at", "d.delivered_at", "d.run_id", "s.po_number", "s.source_sha256", "s.answers_isa13",
                "s.answers_gs06")
        base = (f"SELECT {', '.join(cols)} FROM document_sets s JOIN documents d ON d.id = s.document_id"
                " WHERE s.partner=? AND ")
        rows = self._q(base + "s.po_number=?", (partner, po_number))
        linked = sorted({k for (k,) in self._q(  # an 856 of a shipment that carried several POs
            "SELECT DISTINCT s.asn_doc_key FROM shipments s JOIN shipment_lines l ON l.warehouse = s.warehouse AND"
            " l.shipment_id = s.shipment_id WHERE l.partner=? AND l.po_number=?", (partner, po_number)) if k})
        if linked:
            rows += self._q(base + f"s.doc_key IN ({','.join('?' * len(linked))})", (partner, *linked))
        shas.discard("")
        if shas:
            rows += self._q(base + f"s.source_sha256 IN ({','.join('?' * len(shas))}) AND s.po_number=''",
                            (partner, *sorted(shas)))
        keys = [c.split(".")[1] for c in cols]
        out = []
        for r in sorted(set(rows), key=lambda r: (r[0], r[5] or "")):
            row = dict(zip(keys, r, strict=True))
            if row["doc_type"] in ("997", "TA1") and record and not _answers(row, record, shas):
                continue
            out.append(row)
        return out

    # --- orders ---------------------------------------------------------------------------------
    def order(self, partner: str, po_number: str) -> OrderRecord | None:
        rows = self._q(f"SELECT {', '.join(ORDER_COLUMNS)} FROM orders WHERE partner=? AND po_number=?",
                       (partner, po_number))
        return _order_from_row(rows[0]) if rows else None

    def orders(self, partner: str | None = None, states: Iterable[str] | None = None,
               received_before: str | None = None) -> list[OrderRecord]:
        """Orders by partner and PO number, optionally of one partner, in some states and received before a time
        (an ISO date or timestamp: ``received_before``; an order without one is left out then)."""
        sql, args = f"SELECT {', '.join(ORDER_COLUMNS)} FROM orders WHERE 1=1", []
        if partner:
            sql, args = sql + " AND partner=?", [*args, partner]
        if received_before is not None:
            sql, args = sql + " AND received_at < ?", [*args, received_before]
        if states is not None:
            wanted = [str(s) for s in states]
            if not wanted:
                return []
            sql, args = sql + f" AND state IN ({','.join('?' * len(wanted))})", [*args, *wanted]
        return [_order_from_row(r) for r in self._q(sql + " ORDER BY partner, po_number", args)]

    def decided_with_code(self, code: str, states: Iterable[str]) -> dict[tuple[str, str], OrderRecord]:
        """The orders in ``states`` a person decided (approved or rejected) with ``code`` among the decision's codes
        (engine.lifecycle.allowance_hold.decided_after_shipment: ALLOWANCE_AFTER_SHIPMENT_HELD), by key: few (the
        state index, then the decision's columns)."""
        wanted = [str(s) for s in states]
        if not wanted:
            return {}
        rows = self._q(f"SELECT {', '.join(ORDER_COLUMNS)} FROM orders WHERE state IN ({','.join('?' * len(wanted))})"
                       " AND decision IS NOT NULL AND codes LIKE ? ORDER BY partner, po_number",
                       (*wanted, f"%{code}%"))
        return {(r[0], r[1]): o for r in rows if code in (o := _order_from_row(r)).codes}

    def find_orders(self, po_number: str, partner: str | None = None) -> list[OrderRecord]:
        """Orders with this PO number (indexed), of one partner or of every partner."""
        sql = f"SELECT {', '.join(ORDER_COLUMNS)} FROM orders WHERE po_number=?"
        rows = self._q(sql + (" AND partner=?" if partner else "") + " ORDER BY partner",
                       (po_number, partner) if partner else (po_number,))
        return [_order_from_row(r) for r in rows]

    def release_orders(self, partner: str | None = None) -> list[OrderRecord]:
        """Orders keyed as a later release of a PO held under another release (schemas.order_keys: a
        key holding SEP), of one partner or of every partner, by partner and key. Few (only a PO's second
        and later releases are keyed so); found by one look over the partner's keys."""
        sql = f"SELECT {', '.join(ORDER_COLUMNS)} FROM orders WHERE po_number LIKE ?"
        args: list = [f"%{SEP}%"]
        if partner:
            sql, args = sql + " AND partner=?", [*args, partner]
        return [_order_from_row(r) for r in self._q(sql + " ORDER BY partner, po_number", args)
                if SEP in r[1]]

    def releases_naming(self, numbers: Mapping[str, Iterable[str]], states: Iterable[str], *, kind: str = "RL"
                        ) -> tuple[list[OrderRecord], list[OrderRecord]]:
        """(the orders of BEG02 ``kind`` (releases) in ``states`` of each partner of ``numbers`` (partner -> contract
        or agreement numbers) whose 850 named one of its numbers as its contract or agreement (REF*CT, REF*AH:
        orders.contract_number, agreement_number), those of the same partners, kind and states whose contract and
        agreement are not known (stored before BLANKET_REFS, or made by other than an 850's intake: the caller reads
        their stored tables)), each by partner and key. Found through the indexes orders_contract and
        orders_agreement (partner, BEG02, number), never by reading every release of the partner."""
        wanted = [str(s) for s in states]
        named: dict[tuple[str, str], OrderRecord] = {}
        unknown: dict[tuple[str, str], OrderRecord] = {}
        if not wanted:
            return [], []
        columns = ", ".join(ORDER_COLUMNS)
        in_states = f" AND state IN ({','.join('?' * len(wanted))})"
        for partner, values in sorted(numbers.items()):
            values = sorted({v.strip() for v in values if v and v.strip()})
            for column in BLANKET_REF_FIELDS:
                for within, chunk in self._within(values):
                    for r in self._q(f"SELECT {columns} FROM orders WHERE partner=? AND order_type=? AND {column}"
                                     f"{within}{in_states}", (partner, kind, *chunk, *wanted)):
                        named[(r[0], r[1])] = _order_from_row(r)
            for r in self._q(f"SELECT {columns} FROM orders WHERE partner=? AND order_type=? AND"
                             f" {BLANKET_REF_FIELDS[0]} IS NULL{in_states}", (partner, kind, *wanted)):
                unknown[(r[0], r[1])] = _order_from_row(r)
        return [named[k] for k in sorted(named)], [unknown[k] for k in sorted(unknown) if k not in named]

    def releases_moved_from(self, numbers: Mapping[str, Iterable[str]]) -> list[OrderRecord]:
        """The orders of each partner of ``numbers`` (partner -> blanket PO numbers) that an 860 moved off one of
        them after part of it shipped (orders.moved_from: the contract or agreement it named before), by partner and
        key: the blanket it left counts what shipped of it. Found through the index orders_moved_from."""
        columns = ", ".join(ORDER_COLUMNS)
        found: dict[tuple[str, str], OrderRecord] = {}
        for partner, values in sorted(numbers.items()):
            values = sorted({v.strip() for v in values if v and v.strip()})
            for within, chunk in self._within(values):
                for r in self._q(f"SELECT {columns} FROM orders WHERE partner=? AND moved_from{within}",
                                 (partner, *chunk)):
                    found[(r[0], r[1])] = _order_from_row(r)
        return [found[k] for k in sorted(found)]

    def blanket_refs_unread(self) -> bool:
        """True while the contract and agreement of orders stored before BLANKET_REFS wait to be read from their
        stored tables (meta BLANKET_REFS_UNREAD, left by BLANKET_REFS_READ's step; flows.releases.fill_blanket_refs)."""
        return bool(self._q("SELECT 1 FROM meta WHERE key=?", (BLANKET_REFS_UNREAD,)))

    def refs_unknown(self) -> list[tuple[str, str, str | None, str]]:
        """(partner, key, order_ref, lines_key) of each order whose contract and agreement are not known (null:
        stored before BLANKET_REFS, or made elsewhere than an 850's intake), by its stored table: what
        fill_blanket_refs is given once they are read."""
        return [tuple(r) for r in self._q(
            f"SELECT partner, po_number, order_ref, lines_key FROM orders WHERE {BLANKET_REF_FIELDS[0]} IS NULL"
            " ORDER BY partner, lines_key, po_number")]

    def fill_blanket_refs(self, numbers: Iterable[tuple[str, str, str, str]]) -> int:
        """Each order of ``numbers`` (partner, key, contract, agreement: read from its stored ORDERS row, "" for none)
        given them while they are still not known (null: an order an 860 or intake gave its numbers since keeps
        them), in one transaction that also takes the store's mark away (meta BLANKET_REFS_UNREAD): an order whose
        stored table could not be read, left out, stays null and is read when wanted (releases_naming's unknown).
        No history event: what the order named is not changed, only kept. How many orders were given them."""
        rows = [(contract, agreement, partner, key) for partner, key, contract, agreement in numbers]
        with self.transaction():
            done = self._many(f"UPDATE orders SET {BLANKET_REF_FIELDS[0]}=?, {BLANKET_REF_FIELDS[1]}=? WHERE partner=?"
                              f" AND po_number=? AND {BLANKET_REF_FIELDS[0]} IS NULL", rows) if rows else 0
            self._q("DELETE FROM meta WHERE key=?", (BLANKET_REFS_UNREAD,))
        return done

    def orders_for(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], OrderRecord]:
        rows = self._by_keys(f"SELECT {', '.join(ORDER_COLUMNS)} FROM orders WHERE", keys, "")
        return {(r[0], r[1]): _order_from_row(r) for r in rows}

    def buyer_gs_ids(self, asked: Mapping[str, tuple[str, ...]], pos: Mapping[str, Iterable[str]] | None = None
                     ) -> dict[tuple[str, str], tuple[str, ...]]:
        """(partner, PO) -> (the GS02 its 850 came from, the GS03 it was sent to; "" each when unknown), for the
        orders of each partner of ``asked`` (partner -> its profile's (their_gs_id, our_gs_id),
        engine.lifecycle.asked_buyers) from another GS02 or to another GS03 than those: a network's other buyers,
        our other divisions (none for a partner that is one buyer writing to one id of ours; none for CSV orders
        and orders recorded before BUYER_GS_IDS / OUR_GS_IDS). A partner asked with its interchange ids too
        ((their_gs_id, our_gs_id, their_qualifier, their_id, our_qualifier, our_id): one sending from several,
        [x12] their_ids / our_ids) is answered with the order's ISA05, ISA06, ISA07 and ISA08 after those (ISA_IDS),
        for its orders at another GS id or another interchange id than the profile's. ``pos``: partner -> the only
        POs looked up (engine.lifecycle.asked_pos: a file's documents name a few of the orders ever stored, each
        found by its key, not every order of the partner read per file); None: every order of the partner."""
        out: dict[tuple[str, str], tuple[str, ...]] = {}
        gs = "(gs02 IS NOT NULL AND gs02 <> '' AND gs02 <> ?) OR (gs03 IS NOT NULL AND gs03 <> '' AND gs03 <> ?)"
        # an order whose ISA05/06 or ISA07/08 is kept and not the profile's pair
        isa = (" OR (isa06 IS NOT NULL AND isa06 <> '' AND (isa05 <> ? OR isa06 <> ?))"
               " OR (isa08 IS NOT NULL AND isa08 <> '' AND (isa07 <> ? OR isa08 <> ?))")
        for partner, ids in sorted(asked.items()):
            columns = "po_number, gs02, gs03" + (", isa05, isa06, isa07, isa08" if len(ids) > 2 else "")
            other = f"({gs}{isa if len(ids) > 2 else ''})"
            if pos is None:
                rows = self._q(f"SELECT {columns} FROM orders WHERE partner=? AND {other}", (partner, *ids))
            else:
                rows = []
                for within, chunk in self._within(sorted(set(pos.get(partner, ())))):
                    rows += self._q(f"SELECT {columns} FROM orders WHERE partner=? AND po_number{within}"
                                    f" AND {other}", (partner, *chunk, *ids))
            for po, *kept in rows:
                out[(partner, po)] = tuple(v or "" for v in kept)
        return out

    def billing_orders(self, keys: Iterable[tuple[str, str]]) -> list[tuple[str, str, str, int, str, str, str]]:
        """(partner, PO, state, revision, order_ref, lines_key, order_type) of these orders, as stored (null
        texts ""): what the invoice stage reads of an order to bill it (or pass a memo order over), move it and
        find its canonical rows, without an OrderRecord each (engine.lifecycle.billing.billed_orders)."""
        return [(p, po, st, rev, ref or "", key or "", kind or "") for p, po, st, rev, ref, key, kind in self._by_keys(
            "SELECT partner, po_number, state, revision, order_ref, lines_key, order_type FROM orders WHERE", keys, "")]

    def memo_orders(self, types: Mapping[str, Iterable[str]], states: Iterable[str]) -> list[OrderRecord]:
        """The orders in ``states`` of each partner of ``types`` (partner -> its [fulfilment.invoice]
        memo_order_types) whose BEG02 is one of its types, by partner and PO (the invoice stage moves those
        shipped in full to shipped_on_memo)."""
        wanted = [str(s) for s in states]
        out: list[OrderRecord] = []
        for partner, kinds in sorted(types.items()):
            kinds = sorted(set(kinds))
            if not kinds or not wanted:
                continue
            rows = self._q(f"SELECT {', '.join(ORDER_COLUMNS)} FROM orders WHERE partner=? AND state IN"
                           f" ({','.join('?' * len(wanted))}) AND order_type IN ({','.join('?' * len(kinds))})"
                           " ORDER BY po_number", (partner, *wanted, *kinds))
            out += [_order_from_row(r) for r in rows]
        return out

    def orders_with_skus(self, skus: Iterable[str], states: Iterable[str]) -> list[OrderRecord]:
        """The orders in ``states`` with a line of one of ``skus`` (the service items: the invoice stage delivers
        an order whose units still to ship are all services), by partner and PO; none when ``skus`` is empty."""
        skus, wanted = sorted(set(skus)), [str(s) for s in states]
        if not skus or not wanted:
            return []
        rows = self._q(f"SELECT {', '.join(ORDER_COLUMNS)} FROM orders o WHERE state IN ({','.join('?' * len(wanted))})"
                       " AND EXISTS (SELECT 1 FROM order_lines l WHERE l.partner = o.partner AND l.po_number ="
                       f" o.po_number AND l.sku IN ({','.join('?' * len(skus))})) ORDER BY partner, po_number",
                       (*wanted, *skus))
        return [_order_from_row(r) for r in rows]

    def orders_with_line_reason(self, reason: str, states: Iterable[str]) -> list[OrderRecord]:
        """The orders in ``states`` with a line whose reason starts with ``reason`` (the allocation's reason, a
        decision's may follow it): "bill_only", a bill-only order's lines (the invoice stage records their usage
        and bills them), by partner and PO."""
        wanted = [str(s) for s in states]
        if not reason or not wanted:
            return []
        rows = self._q(f"SELECT {', '.join(ORDER_COLUMNS)} FROM orders o WHERE state IN ({','.join('?' * len(wanted))})"
                       " AND EXISTS (SELECT 1 FROM order_lines l WHERE l.partner = o.partner AND l.po_number ="
                       " o.po_number AND l.reason LIKE ?) ORDER BY partner, po_number", (*wanted, reason + "%"))
        return [_order_from_row(r) for r in rows]

    def order_lines(self, partner: str, po_number: str) -> list[LineRecord]:
        rows = self._q(f"SELECT {', '.join(LINE_COLUMNS)} FROM order_lines WHERE partner=? AND po_number=?"
                       " ORDER BY line_number", (partner, po_number))
        return [_line_from_row(r) for r in rows]

    def lines_for(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], tuple[LineRecord, ...]]:
        out: dict[tuple[str, str], list[LineRecord]] = {}
        for r in self._by_keys(f"SELECT {', '.join(LINE_COLUMNS)} FROM order_lines WHERE", keys,
                               "ORDER BY partner, po_number, line_number"):
            out.setdefault((r[0], r[1]), []).append(_line_from_row(r))
        return {k: tuple(v) for k, v in out.items()}

    def line_table_for(self, keys: Iterable[tuple[str, str]]):
        """lines_for as one LINE_ROWS table (schemas.lifecycle), the values as stored: each order's lines
        together, by line number (the ship stage's one read of its orders' lines, no LineRecord). Read
        outside a transaction on SQLite, it is kept with each line's address (Dialect.row_address) for the plan
        that rewrites these orders' lines (_rewrite_changed: a changed line updated where it is)."""
        from schemas.lifecycle import LINE_ROWS

        keys = list(keys)
        self._lines_read = None
        outside = not (self._depth or self._db.in_transaction)
        reader = self._arrow_reader()
        if reader is not None:
            with self._lock, _edge(self.path):
                reader.open()  # (opening it moves data_version once)
        version = self._lines_version() if outside else None
        if version is not None and self.dialect.row_address and store_versions.active() and self._versioned:
            kept = self._kept_lines(keys, version)
            if kept is not None:
                return kept
        if version is None or not self.dialect.row_address:  # (PostgreSQL, or inside a transaction: not kept)
            return self._arrow_by_keys(f"SELECT {', '.join(LINE_COLUMNS)} FROM order_lines WHERE", keys,
                                       "ORDER BY partner, po_number, line_number", LINE_ROWS)
        import pyarrow as pa

        read = self._arrow_by_keys(f"SELECT {', '.join(LINE_COLUMNS)}, {self.dialect.row_address} FROM order_lines"
                                   " WHERE", keys, "ORDER BY partner, po_number, line_number",
                                   LINE_ROWS.append(pa.field("_at", pa.int64(), nullable=False)))
        table = read.drop_columns(["_at"])
        if version == self._lines_version():  # what is committed, nobody wrote meanwhile: kept for a plan
            self._lines_read = (frozenset(keys), table, version, read["_at"].combine_chunks())  # rewriting them
        return table

    def _kept_lines(self, keys: list[tuple[str, str]], version: tuple[int, int]):
        """line_table_for's table from the lines an earlier stage of this process wrote (connectors.store_versions:
        the store's write version still the one they were kept at), its lines' addresses read alone (for
        _rewrite_changed, as line_table_for keeps them); None when they are not all kept, or something wrote."""
        from schemas.lifecycle import LINE_ROWS

        table = store_versions.take(self.path, "order_lines", self.write_version(), _read_order(keys)) if keys \
            else None
        if table is None:
            return None
        import pyarrow as pa

        table = pa.Table.from_arrays(table.columns, schema=LINE_ROWS).combine_chunks()
        at = self._arrow_by_keys(f"SELECT {self.dialect.row_address} FROM order_lines WHERE", keys,
                                 "ORDER BY partner, po_number, line_number",
                                 pa.schema([pa.field("_at", pa.int64(), nullable=False)]))
        if at.num_rows != table.num_rows or version != self._lines_version():
            return None
        self._lines_read = (frozenset(keys), table, version, at["_at"].combine_chunks())
        store_versions.taken("order_lines")
        return table

    def reservation_table_for(self, keys: Iterable[tuple[str, str]]):
        """reservations_for as one RESERVATION_ROWS table (each order's rows together, by line number and
        warehouse). Taken from the reservations an earlier stage of this process wrote while the store's write
        version is still the one they were kept at (connectors.store_versions; the night: decide's, for the ship
        stage)."""
        from schemas.lifecycle import RESERVATION_ROWS

        keys = list(keys)
        if keys and store_versions.active() and self._versioned and self.dialect.name == "sqlite" and not (
                self._depth or self._db.in_transaction):
            table = store_versions.take(self.path, "reservations", self.write_version(), _read_order(keys))
            if table is not None:
                import pyarrow as pa

                store_versions.taken("reservations")
                return pa.Table.from_arrays(table.columns, schema=RESERVATION_ROWS).combine_chunks()
        return self._arrow_by_keys("SELECT partner, po_number, line_number, warehouse, sku, quantity FROM"
                                   " reservations WHERE", keys, "ORDER BY partner, po_number, line_number, warehouse",
                                   RESERVATION_ROWS)

    def order_history(self, partner: str, po_number: str) -> list[dict]:
        """The order's events in the global sequence, each with its clock ("run" or "wall")."""
        rows = self._q(f"SELECT {', '.join(EVENT_COLUMNS)} FROM order_events WHERE partner=? AND po_number=?"
                       " ORDER BY seq", (partner, po_number))
        return [dict(zip(EVENT_COLUMNS, r, strict=True)) for r in rows]

    def orders_with_event(self, keys: Iterable[tuple[str, str]], event: str) -> set[tuple[str, str]]:
        """(partner, PO) of these orders whose history holds ``event`` (the order_events index by order:
        a read per chunk of keys, for the few orders a step asks about)."""
        return {(p, po) for p, po, e in self._by_keys("SELECT partner, po_number, event FROM order_events WHERE",
                                                      keys, "") if e == str(event)}

    def events_at(self, keys: Iterable[tuple[str, str]], events: Iterable[str]) -> dict[tuple[str, str], list]:
        """(partner, PO) -> (event, at) of these orders' history events of ``events``, in the order recorded (the
        order_events index by order: a read per chunk of keys, for the few orders a step asks about)."""
        wanted = {str(e) for e in events}
        out: dict[tuple[str, str], list] = {}
        for p, po, event, at in self._by_keys("SELECT partner, po_number, event, at FROM order_events WHERE", keys,
                                              "ORDER BY seq"):
            if event in wanted:
                out.setdefault((p, po), []).append((event, at))
        return out

    # --- reservations ---------------------------------------------------------------------------
    def reservations(self) -> list[dict]:
        """Units we have promised and not yet released, summed by warehouse and SKU."""
        rows = self._q("SELECT warehouse, sku, SUM(quantity) FROM reservations GROUP BY warehouse, sku"
                       " ORDER BY warehouse, sku")
        return [{"warehouse": w, "sku": s, "quantity": int(q)} for w, s, q in rows]

    def order_reservations(self, partner: str, po_number: str) -> list[Reservation]:
        rows = self._q("SELECT partner, po_number, line_number, warehouse, sku, quantity FROM reservations WHERE"
                       " partner=? AND po_number=? ORDER BY line_number, warehouse", (partner, po_number))
        return [Reservation(*r) for r in rows]

    def reservations_for(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], tuple[Reservation, ...]]:
        out: dict[tuple[str, str], list[Reservation]] = {}
        for r in self._by_keys("SELECT partner, po_number, line_number, warehouse, sku, quantity FROM reservations"
                               " WHERE", keys, "ORDER BY partner, po_number, line_number, warehouse"):
            out.setdefault((r[0], r[1]), []).append(Reservation(*r))
        return {k: tuple(v) for k, v in out.items()}

    def orders_with_po(self, po_numbers: Iterable[str]) -> list[OrderRecord]:
        """Every partner's orders with one of these PO numbers (indexed; shipment confirmations may
        not say whose PO it is)."""
        pos = sorted(set(po_numbers))
        rows: list[tuple] = []
        for i in range(0, len(pos), CHUNK):
            chunk = pos[i:i + CHUNK]
            rows += self._q(f"SELECT {', '.join(ORDER_COLUMNS)} FROM orders WHERE po_number IN"
                            f" ({','.join('?' * len(chunk))}) ORDER BY partner, po_number", chunk)
        return [_order_from_row(r) for r in rows]

    def orders_with_unpadded_po(self, numbers: Iterable[str]) -> list[OrderRecord]:
        """Every partner's orders whose PO number is one of ``numbers`` (digits) with leading zeros: what a
        confirmation naming a PO number without its zeros may mean (engine.lifecycle.releases.unpadded_po_lines).
        Looks over the PO numbers beginning with 0 (not indexed: asked only for numbers no order has)."""
        wanted = sorted({n for n in numbers if n and n.isdigit() and not n.startswith("0")})
        rows: list[tuple] = []
        for i in range(0, len(wanted), CHUNK):
            chunk = wanted[i:i + CHUNK]
            rows += self._q(f"SELECT {', '.join(ORDER_COLUMNS)} FROM orders WHERE po_number LIKE '0%' AND"
                            f" ltrim(po_number, '0') IN ({','.join('?' * len(chunk))}) ORDER BY partner, po_number",
                            chunk)
        return [_order_from_row(r) for r in rows]

    def orders_with_backorders(self, states: Iterable[str]) -> list[tuple[str, str]]:
        """(partner, PO) of every order in ``states`` with a line still waiting for stock, once per run:
        the orders found by their state (indexed), then their lines by key, so the read grows with the
        orders still open, not with every line the store ever kept (a scan of order_lines did)."""
        wanted = [str(s) for s in states]
        if not wanted:
            return []
        return [(p, po) for p, po in self._q(
            "SELECT DISTINCT l.partner, l.po_number FROM orders o JOIN order_lines l ON l.partner = o.partner AND"
            f" l.po_number = o.po_number WHERE o.state IN ({','.join('?' * len(wanted))}) AND l.backordered > 0"
            " ORDER BY l.partner, l.po_number", wanted)]

    # --- shipments and invoices ---------------------------------------------------------------
    def recorded_cartons(self, warehouse: str) -> list[tuple[str, str | None, str | None]]:
        """(shipment id, carton label, SSCC) of every carton recorded from ``warehouse`` (pallets with
        their SSCC only), and the SSCCs of every other warehouse's cartons and pallets (their shipment
        id prefixed "warehouse/", label None): what the shipment checks hold a new confirmation against
        (RECORDED_CARTONS). A recorded shipment without cartons appears once with both None."""
        rows = self._q("SELECT s.warehouse, s.shipment_id, c.level, c.label, c.sscc FROM shipments s LEFT JOIN"
                       " cartons c ON c.warehouse = s.warehouse AND c.shipment_id = s.shipment_id"
                       " ORDER BY s.warehouse, s.shipment_id, c.level DESC, c.label")
        return [(sid, label if level == "P" else None, sscc) if wh == warehouse else (f"{wh}/{sid}", None, sscc)
                for wh, sid, level, label, sscc in rows if wh == warehouse or sscc]

    def recorded_cartons_for(self, warehouse: str, shipment_ids: Iterable[str], cartons: Iterable[str]
                             ) -> list[tuple[str, str | None, str | None]]:
        """recorded_cartons(warehouse) narrowed to what one confirmation file can meet, in the same
        order: every row of each recorded shipment whose id (as recorded_cartons names it) is one of
        ``shipment_ids`` or that holds a carton or pallet labelled, or with the SSCC, one of
        ``cartons`` (the file's carton keys: SSCC-18 digits or labels). Indexed lookups instead of
        every carton ever recorded, per file."""
        ids = set(shipment_ids)
        names = set(ids)
        for sid in ids:  # another warehouse's shipment is named "warehouse/id"
            names.update(sid[i + 1:] for i, ch in enumerate(sid) if ch == "/")
        keys = set(cartons)
        ssccs = set(keys) | {f"00{k}" for k in keys} | {f"(00){k}" for k in keys}
        found: set[tuple[str, str]] = set()
        for sql, values in (("SELECT warehouse, shipment_id FROM shipments WHERE shipment_id", names),
                            ("SELECT DISTINCT warehouse, shipment_id FROM cartons WHERE label", keys),
                            ("SELECT DISTINCT warehouse, shipment_id FROM cartons WHERE sscc", ssccs)):
            for within, chunk in self._within(sorted(values)):
                found.update((w, s) for w, s in self._q(f"{sql}{within}", chunk))
        if not found:
            return []
        by_warehouse: dict[str, list[str]] = {}
        for w, s in sorted(found):
            by_warehouse.setdefault(w, []).append(s)
        rows: list[tuple] = []
        for w, sids in sorted(by_warehouse.items()):
            parts = []
            for within, chunk in self._within(sids):
                parts.append(self._q("SELECT s.warehouse, s.shipment_id, c.level, c.label, c.sscc FROM shipments s"
                                     " LEFT JOIN cartons c ON c.warehouse = s.warehouse AND c.shipment_id ="
                                     f" s.shipment_id WHERE s.warehouse=? AND s.shipment_id{within}"
                                     " ORDER BY s.warehouse, s.shipment_id, c.level DESC, c.label", (w, *chunk)))
            rows += parts[0] if len(parts) == 1 else sorted((r for p in parts for r in p), key=lambda r: r[1])
        return [(sid, label if level == "P" else None, sscc) if wh == warehouse else (f"{wh}/{sid}", None, sscc)
                for wh, sid, level, label, sscc in rows if wh == warehouse or sscc]

    def shipment_ids_starting(self, warehouse: str, prefixes: Iterable[str], chunk: int = 100) -> list[str]:
        """The recorded shipment ids of ``warehouse`` that start with one of ``prefixes`` (each a load's
        engine.lifecycle.stops.stop_prefix: the stops it was split into), sorted: a range of the primary key per
        prefix (from the prefix to the prefix with its last character's successor), ``chunk`` ranges a query.
        An id a collation sorts into a range without starting with its prefix is left out here."""
        wanted = sorted({p for p in prefixes if p})
        found: set[str] = set()
        for i in range(0, len(wanted), chunk):
            part = wanted[i:i + chunk]
            sql = " UNION ALL ".join(["SELECT shipment_id FROM shipments WHERE warehouse = ? AND shipment_id >= ?"
                                      " AND shipment_id < ?"] * len(part))
            args = [v for p in part for v in (warehouse, p, p[:-1] + chr(ord(p[-1]) + 1))]
            starts = tuple(part)
            found.update(s for (s,) in self._q(sql, args) if s.startswith(starts))
        return sorted(found)

    def shipments(self, keys: Iterable[tuple[str, str]] | None = None, *, billing: str | None = None,
                  partners: Iterable[str] | None = None) -> list[ShipmentRecord]:
        """Recorded shipments (with cartons and lines), by (warehouse, shipment id) ``keys``, or all
        with a ``billing`` status for some ``partners``; in recording order (ship date, id)."""
        sql, args = f"SELECT {', '.join(SHIPMENT_COLUMNS)} FROM shipments WHERE 1=1", []
        if billing is not None:
            sql, args = sql + " AND billing=?", [*args, billing]
        if partners is not None:
            wanted = sorted(set(partners))
            if not wanted:
                return []
            sql, args = sql + f" AND partner IN ({','.join('?' * len(wanted))})", [*args, *wanted]
        heads = self._q(sql + " ORDER BY ship_date, ship_time, warehouse, shipment_id", args)
        if keys is not None:
            wanted_keys = set(keys)
            heads = [h for h in heads if (h[0], h[1]) in wanted_keys]
        return self._shipment_records(heads)

    def shipped_to_stores(self, keys: Iterable[tuple[str, str]]) -> list[tuple]:
        """(partner, po_number, line_id, mark_for_store, quantity, unit) of every recorded shipped line of these
        (partner, PO) orders that went to a store (a store-level partner's carton marked for its SDQ store), in
        the order recorded: what earlier confirmations gave each store (rules.shipments.store_checks)."""
        out: list[tuple] = []
        for partner, po in sorted(set(keys)):
            out += self._q("SELECT partner, po_number, line_id, mark_for_store, quantity, unit FROM shipment_lines"
                           " WHERE partner=? AND po_number=? AND mark_for_store IS NOT NULL"
                           " ORDER BY warehouse, shipment_id, position", (partner, po))
        return out

    def shipped_serials(self, serials: Iterable[str]) -> dict[str, list[tuple]]:
        """serial -> (sku, shipment_id, partner, po_number) of each recorded unit shipped with one of these serial
        numbers (a serial is unique per item, not across items): what rules.shipments.serial_checks holds a
        confirmation's serials against."""
        out: dict[str, list[tuple]] = {}
        wanted = sorted(set(serials))
        for within, chunk in self._within(wanted):
            for serial, sku, sid, partner, po in self._q("SELECT serial, sku, shipment_id, partner, po_number FROM"
                                                         " shipped_serials WHERE serial" + within, chunk):
                out.setdefault(serial, []).append((sku, sid, partner, po))
        return out

    def serials_of_order(self, partner: str, po_number: str) -> list[tuple[str, str, str, str, str]]:
        """(warehouse, shipment_id, line_id, sku, serial) of each unit of the order shipped with a serial number, by
        shipment and line, each line's serials sorted (what `orderbridge status` lists; a unit returned since
        still shipped on it)."""
        return sorted((w, sid, line_id or "", sku, serial) for w, sid, line_id, sku, serial in self._q(
            "SELECT warehouse, shipment_id, line_id, sku, serial FROM shipped_serials WHERE partner=? AND po_number=?"
            " UNION ALL SELECT warehouse, shipment_id, line_id, sku, serial FROM returned_serials"
            " WHERE partner=? AND po_number=?", (partner, po_number, partner, po_number)))

    def return_serial(self, serial: str, sku: str, *, by: str, reason: str, at: str) -> tuple | None:
        """Mark the unit ``serial`` of item ``sku`` returned (`orderbridge serial-return`): its shipped row moves to
        returned_serials with who, when and why (nothing is deleted), so a later confirmation carrying it ships
        (rules.shipments.serial_checks reads shipped_serials only). The (warehouse, shipment_id, partner,
        po_number, line_id) it had shipped on, or None when no shipment of the item carries it (never shipped, or
        returned already)."""
        cols = "serial, sku, warehouse, shipment_id, partner, po_number, line_id, run_id"
        with self.transaction():
            rows = self._q(f"SELECT {cols} FROM shipped_serials WHERE serial=? AND sku=?", (serial, sku))
            if not rows:
                return None
            self._q(f"INSERT INTO returned_serials ({cols}, returned_at, returned_by, reason)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (*rows[0], at, by, reason))
            self._q("DELETE FROM shipped_serials WHERE serial=? AND sku=?", (serial, sku))
        return tuple(rows[0][2:7])

    def returned_serials(self, serial: str, sku: str) -> list[tuple]:
        """(warehouse, shipment_id, partner, po_number, returned_at, returned_by, reason) of each time the unit was
        marked returned, oldest first: the audit of `orderbridge serial-return`."""
        return self._q("SELECT warehouse, shipment_id, partner, po_number, returned_at, returned_by, reason FROM"
                       " returned_serials WHERE serial=? AND sku=? ORDER BY returned_at, shipment_id", (serial, sku))

    def returned_serials_of_order(self, partner: str, po_number: str) -> list[tuple[str, str, str, str, str, str, str,
                                                                                   str]]:
        """(warehouse, shipment_id, line_id, sku, serial, returned_at, returned_by, reason) of each unit of the order
        ops marked returned (`orderbridge serial-return`), under the shipment it had shipped on, by shipment, line
        and serial (what `orderbridge status` marks returned)."""
        return sorted((w, sid, line_id or "", sku, serial, at, by, why) for w, sid, line_id, sku, serial, at, by, why
                      in self._q("SELECT warehouse, shipment_id, line_id, sku, serial, returned_at, returned_by, reason"
                                 " FROM returned_serials WHERE partner=? AND po_number=?", (partner, po_number)))

    def net_weights(self, keys: Iterable[tuple[str, str]]) -> list[tuple]:
        """(warehouse, shipment_id, po_number, line_number, net_weight, net_weight_unit) of every recorded shipped
        line of these (partner, PO) orders, in the order recorded (net_weight None when the confirmation gave
        none): what a catch-weight line is billed by (engine.lifecycle.billing.prepare_invoices)."""
        out: list[tuple] = []
        for partner, po in sorted(set(keys)):
            out += [(r[0], r[1], r[2], r[3], _dec(r[4]), r[5] or "") for r in self._q(
                "SELECT warehouse, shipment_id, po_number, line_number, net_weight, net_weight_unit FROM"
                " shipment_lines WHERE partner=? AND po_number=? ORDER BY warehouse, shipment_id, position",
                (partner, po))]
        return out

    def shipments_for_order(self, partner: str, po_number: str) -> list[ShipmentRecord]:
        """Every recorded shipment that carried units of the order (oldest first)."""
        keys = self._q("SELECT DISTINCT warehouse, shipment_id FROM shipment_lines WHERE partner=? AND po_number=?",
                       (partner, po_number))
        if not keys:
            return []
        return self.shipments(keys=[(w, s) for w, s in keys], partners=[partner])

    def shipped_from(self, run_id: str | None, states: Iterable[str],
                     partners: Iterable[str] | None = None) -> dict[tuple[str, str], set[str]]:
        """(partner, PO) -> the stock warehouses (the warehouse code of reservations) of every recorded shipment
        that carried units of it, for the orders in ``states`` a shipment recorded by ``run_id`` carried (None: any
        recorded shipment, of the orders of ``partners`` alone)."""
        wanted = [str(s) for s in states]
        if not wanted:
            return {}
        if run_id is None:
            who = sorted(set(partners or ()))
            if not who:
                return {}
            # the orders first (by their state, indexed; DISTINCT keeps SQLite from flattening them into a walk
            # of every line the partners were ever shipped, looking each one's order up), then their shipments:
            # the read follows the orders open, not the shipments ever recorded (docs/design-night-in-arrow.md,
            # "Session 65": 81 ms on the aged bench's night 12 -> a few)
            rows = self._q(
                "SELECT DISTINCT l.partner, l.po_number, s.stock_warehouse, s.warehouse FROM (SELECT DISTINCT"
                " o.partner, o.po_number FROM orders o WHERE"
                f" o.state IN ({','.join('?' * len(wanted))}) AND o.partner IN ({','.join('?' * len(who))})) k"
                " JOIN shipment_lines l ON l.partner = k.partner AND l.po_number = k.po_number JOIN shipments s ON"
                " s.warehouse = l.warehouse AND s.shipment_id = l.shipment_id ORDER BY l.partner, l.po_number",
                [*wanted, *who])
            out: dict[tuple[str, str], set[str]] = {}
            for partner, po, stock, warehouse in rows:
                out.setdefault((partner, po), set()).add(stock or warehouse)
            return out
        # the orders first (in those states: found by their state, indexed; then their lines by PO, indexed), then
        # every shipment of theirs: the read grows with the orders open, not with the shipments ever recorded
        rows = self._q(
            "SELECT DISTINCT l.partner, l.po_number, s.stock_warehouse, s.warehouse FROM (SELECT DISTINCT m.partner,"
            " m.po_number FROM orders o JOIN shipment_lines m ON m.partner = o.partner AND m.po_number = o.po_number"
            " JOIN shipments r ON r.warehouse = m.warehouse AND r.shipment_id = m.shipment_id WHERE"
            f" o.state IN ({','.join('?' * len(wanted))}) AND r.run_id = ?) k JOIN shipment_lines l ON"
            " l.partner = k.partner AND l.po_number = k.po_number JOIN shipments s ON s.warehouse = l.warehouse AND"
            " s.shipment_id = l.shipment_id ORDER BY l.partner, l.po_number", [*wanted, run_id])
        out = {}
        for partner, po, stock, warehouse in rows:
            out.setdefault((partner, po), set()).add(stock or warehouse)
        return out

    def shipments_to_bill(self, partners: Iterable[str]) -> list[ShipmentRecord]:
        """shipments(billing="shipment", partners=...) + shipments(billing="order", partners=...), their
        lines without their cartons (what billing reads of a shipment; the invoice stage's one read)."""
        wanted = sorted(set(partners))
        if not wanted:
            return []
        sql = (f"SELECT {', '.join(SHIPMENT_COLUMNS)} FROM shipments WHERE billing=? AND partner IN"
               f" ({','.join('?' * len(wanted))}) ORDER BY ship_date, ship_time, warehouse, shipment_id")
        heads = self._q(sql, ["shipment", *wanted]) + self._q(sql, ["order", *wanted])
        return self._shipment_records(heads, with_cartons=False)

    def billing_shipments(self, partners: Iterable[str]) -> tuple[pa.Table, pa.Table]:
        """shipments_to_bill as columns, read once: (heads: warehouse, shipment_id, partner, ship_date,
        bill_of_lading, billing, carrier_scac, transport_method (null: recorded before SHIPMENT_METHODS),
        service_level (the warehouse's, as stored: a CAD's method worked out again reads it as the 856 did), in
        shipments_to_bill's order; lines: warehouse, shipment_id, po_number,
        line_number, quantity as stored text, mark_for_store (the store its carton was marked for, a partner billed
        per store reads it), by shipment and position)."""
        import pyarrow as pa

        wanted = sorted(set(partners))
        text, num = pa.string(), pa.int64()
        heads_schema = pa.schema([("warehouse", text), ("shipment_id", text), ("partner", text),
                                  ("ship_date", text), ("bill_of_lading", text), ("billing", text),
                                  ("carrier_scac", text), ("transport_method", text), ("service_level", text)])
        lines_schema = pa.schema([("warehouse", text), ("shipment_id", text), ("po_number", text),
                                  ("line_number", num), ("quantity", text), ("mark_for_store", text)])
        if not wanted:
            return heads_schema.empty_table(), lines_schema.empty_table()
        where = f"s.billing IN ('shipment', 'order') AND s.partner IN ({','.join('?' * len(wanted))})"
        heads = self._arrow("SELECT s.warehouse, s.shipment_id, s.partner, s.ship_date, s.bill_of_lading, s.billing,"
                            f" s.carrier_scac, s.transport_method, s.service_level FROM shipments s WHERE {where}"
                            " ORDER BY CASE WHEN s.billing = 'shipment' THEN 0 ELSE 1 END, s.ship_date, s.ship_time,"
                            " s.warehouse, s.shipment_id", wanted, heads_schema)
        # sorted in Arrow (SQLite's ORDER BY sorted a night's 100,000 lines in a temporary B-tree, 3x slower)
        lines = self._arrow("SELECT l.warehouse, l.shipment_id, l.po_number, l.line_number, l.quantity,"
                            " l.mark_for_store, l.position"
                            " FROM shipment_lines l JOIN shipments s ON s.warehouse = l.warehouse AND s.shipment_id ="
                            f" l.shipment_id WHERE {where}", wanted, lines_schema.append(pa.field("position", num)),
                            order=("warehouse", "shipment_id", "position"))
        return heads, lines.drop_columns(["position"])

    def billing_lines(self, keys: Iterable[tuple[str, str]]) -> pa.Table:
        """The order lines of these orders as billing reads them (BILLING_LINE_COLUMNS; decimals as their
        stored text), read once as columns, each order's lines by line number. Taken from the lines an earlier
        stage of this process wrote while the store's write version is still the one they were kept at
        (connectors.store_versions; the night: the ship stage's, for the invoice stage)."""
        import pyarrow as pa

        ints = {"line_number", "allocated", "backordered", "unit_eaches", "rejected"}
        schema = pa.schema([(c, pa.int64() if c in ints else pa.string()) for c in BILLING_LINE_COLUMNS])
        keys = list(keys)
        if keys and store_versions.active() and self._versioned and self.dialect.name == "sqlite" and not (
                self._depth or self._db.in_transaction):  # the lines the ship stage of this process wrote, kept
            kept = store_versions.take(self.path, "order_lines", self.write_version(),
                                       _read_order(keys, BILLING_CHUNK))
            if kept is not None:
                store_versions.taken("billing_lines")
                return pa.Table.from_arrays([kept[c].cast(f.type) for c, f in zip(schema.names, schema, strict=True)],
                                            schema=schema).combine_chunks()
        return self._arrow_by_keys(f"SELECT {', '.join(BILLING_LINE_COLUMNS)} FROM order_lines WHERE", keys,
                                   "ORDER BY po_number, line_number", schema, chunk=BILLING_CHUNK)

    def closing_invoices(self, states: Iterable[str]) -> list[tuple[str, str, str | None, str | None]]:
        """For every order in ``states``: (partner, PO, doc key, delivered_at) per invoice of it (doc key
        None: no invoice; delivered_at None: not delivered, or no document stored for the key), by order."""
        wanted = [str(s) for s in states]
        if not wanted:
            return []
        return self._q("SELECT o.partner, o.po_number, i.doc_key, d.delivered_at FROM orders o LEFT JOIN invoices i"
                       " ON i.partner = o.partner AND i.po_number = o.po_number LEFT JOIN document_sets s ON"
                       " s.partner = i.partner AND s.doc_key = i.doc_key LEFT JOIN documents d ON d.id ="
                       f" s.document_id WHERE o.state IN ({','.join('?' * len(wanted))})"
                       " ORDER BY o.partner, o.po_number", wanted)

    def _shipment_records(self, heads: list[tuple], *, with_cartons: bool = True) -> list[ShipmentRecord]:
        if not heads:
            return []
        by_wh: dict[str, list[str]] = {}
        for h in heads:
            by_wh.setdefault(h[0], []).append(h[1])
        cartons: dict[tuple[str, str], list[RecordedCarton]] = {}
        lines: dict[tuple[str, str], list[ShippedLine]] = {}
        for wh, ids in by_wh.items():
            for i in range(0, len(ids), CHUNK):
                chunk = ids[i:i + CHUNK]
                marks = ",".join("?" * len(chunk))
                for r in self._q(f"SELECT {', '.join(CARTON_COLUMNS)} FROM cartons WHERE warehouse=? AND shipment_id"
                                 f" IN ({marks}) ORDER BY shipment_id, level DESC, label", (wh, *chunk)
                                 ) if with_cartons else ():
                    cartons.setdefault((r[0], r[1]), []).append(
                        RecordedCarton(r[2], r[3], r[4], r[5], r[6] or "", r[7] or "", _dec(r[8]), r[9] or ""))
                for r in self._q(f"SELECT {', '.join(SHIPPED_LINE_COLUMNS)} FROM shipment_lines WHERE warehouse=? AND"
                                 f" shipment_id IN ({marks}) ORDER BY shipment_id, position", (wh, *chunk)):
                    lines.setdefault((r[0], r[1]), []).append(
                        ShippedLine(r[4], r[5], r[6] or "", r[7] or "", Decimal(r[8]), r[9] or "", r[10] or "",
                                    r[11] or "", r[12], r[13], r[14] or "", _dec(r[15]), r[16] or ""))
        out = []
        for h in heads:
            d = dict(zip(SHIPMENT_COLUMNS, h, strict=True))
            key = (d["warehouse"], d["shipment_id"])
            out.append(ShipmentRecord(
                warehouse=d["warehouse"], shipment_id=d["shipment_id"], partner=d["partner"],
                ship_date=date.fromisoformat(d["ship_date"]), lines=tuple(lines.get(key, ())),
                cartons=tuple(cartons.get(key, ())), stock_warehouse=d["stock_warehouse"] or "",
                source_kind=d["source_kind"] or "", source_file=d["source_file"] or "",
                source_sha256=d["source_sha256"] or "", isa13=d["isa13"] or "", gs06=d["gs06"] or "",
                st02=d["st02"] or "", ship_time=time.fromisoformat(d["ship_time"]) if d["ship_time"] else None,
                carrier_scac=d["carrier_scac"] or "", service_level=d["service_level"] or "",
                tracking_number=d["tracking_number"] or "", bill_of_lading=d["bill_of_lading"] or "",
                departed_at=d["departed_at"] or "", asn_due_at=d["asn_due_at"] or "",
                asn_doc_key=d["asn_doc_key"] or "", asn_at=d["asn_at"] or "", late=bool(d["late"]),
                billing=d["billing"], run_id=d["run_id"] or "", transport_method=d["transport_method"] or ""))
        return out

    def shipped_since(self, day: date) -> list[dict]:
        """Units shipped on ``day`` or later, summed by stock warehouse and SKU: stock an inventory
        snapshot as of ``day`` (taken at the start of that day) still counts as on hand."""
        rows = self._q("SELECT s.stock_warehouse, l.sku, l.quantity FROM shipment_lines l JOIN shipments s ON"
                       " s.warehouse = l.warehouse AND s.shipment_id = l.shipment_id WHERE s.ship_date >= ?",
                       (day.isoformat(),))
        sums: dict[tuple[str, str], Decimal] = {}
        for wh, sku, qty in rows:
            if wh and sku:
                sums[(wh, sku)] = sums.get((wh, sku), Decimal(0)) + Decimal(qty)
        return [{"warehouse": w, "sku": k, "quantity": int(q.to_integral_value(rounding="ROUND_CEILING"))}
                for (w, k), q in sorted(sums.items()) if q > 0]

    def invoiced_shipment_pos(self, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str, str]]:
        """(warehouse, shipment id, PO) already on an 810, for these (warehouse, shipment id)."""
        by_wh: dict[str, list[str]] = {}
        for wh, sid in dict.fromkeys(keys):
            by_wh.setdefault(wh, []).append(sid)
        out: set[tuple[str, str, str]] = set()
        for wh, ids in by_wh.items():
            for within, chunk in self._within(ids):
                out.update(self._q(f"SELECT warehouse, shipment_id, po_number FROM invoices WHERE warehouse=? AND"
                                   f" shipment_id{within}", (wh, *chunk)))
        return out

    def finding_values(self, code: str, keys: Iterable[tuple[str, str]]) -> set[str]:
        """The values of the findings of ``code`` recorded for these (partner, PO), whatever their run: what billing
        said before (INVOICE_HELD_NOT_ON_880's doc keys: a held 880 is said once)."""
        by_partner: dict[str, list[str]] = {}
        for partner, po in dict.fromkeys(keys):
            by_partner.setdefault(partner, []).append(po)
        out: set[str] = set()
        for partner, pos in by_partner.items():
            for within, chunk in self._within(pos):
                out.update(r[0] for r in self._q(f"SELECT value FROM findings WHERE code=? AND partner=? AND"
                                                 f" po_number{within}", (code, partner, *chunk)) if r[0])
        return out

    def finding_sacs(self, code: str, keys: Iterable[tuple[str, str]]
                     ) -> dict[tuple[str, str], list[tuple[str, str, str]]]:
        """(partner, PO) -> (file, "ISA13-GS06-ST02", sacs) of each finding of ``code`` recorded for these orders
        naming SACs (its detail: schemas.findings.sacs_text), in the order recorded: the allowances a hold judged
        (ALLOWANCE_AFTER_SHIPMENT_HELD, at its 860), what a person's rejection takes off."""
        by_partner: dict[str, list[str]] = {}
        for partner, po in dict.fromkeys(keys):
            by_partner.setdefault(partner, []).append(po)
        out: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
        for partner, pos in by_partner.items():
            for within, chunk in self._within(pos):
                for po, file, isa13, gs06, st02, sacs in self._q(
                        "SELECT po_number, file, isa13, gs06, st02, sacs FROM findings WHERE code=? AND partner=?"
                        f" AND sacs IS NOT NULL AND po_number{within} ORDER BY id", (code, partner, *chunk)):
                    out.setdefault((partner, po), []).append((file or "", f"{isa13 or ''}-{gs06 or ''}-{st02 or ''}",
                                                              sacs))
        return out

    def said_findings(self, keys: Iterable[tuple[str, str]], stages: Sequence[str]) -> set[tuple]:
        """What the findings of ``stages`` recorded for these (partner, PO) said, whatever their run
        (schemas.lifecycle.finding_said of each): what an order decided again must not record twice."""
        from schemas.lifecycle import SAID_COLUMNS, finding_said

        by_partner: dict[str, list[str]] = {}
        for partner, po in dict.fromkeys(keys):
            by_partner.setdefault(partner, []).append(po)
        marks = ",".join("?" * len(stages))
        cols = ", ".join((*SAID_COLUMNS, "consequence"))
        out: set[tuple] = set()
        for partner, pos in by_partner.items():
            for within, chunk in self._within(pos):
                out.update(finding_said(*r[:-1], consequence=r[-1]) for r in self._q(
                    f"SELECT {cols} FROM findings WHERE stage IN ({marks}) AND partner=? AND po_number{within}",
                    (*stages, partner, *chunk)))
        return out

    def invoiced_shipment_keys(self, keys: Iterable[tuple[str, str]]) -> set[str]:
        """The doc keys of the 810s already on these (warehouse, shipment id): a partner billed per store has one
        per PO and store (engine.lifecycle.billing.invoices_due's ``invoiced_keys``)."""
        by_wh: dict[str, list[str]] = {}
        for wh, sid in dict.fromkeys(keys):
            by_wh.setdefault(wh, []).append(sid)
        out: set[str] = set()
        for wh, ids in by_wh.items():
            for within, chunk in self._within(ids):
                out.update(r[0] for r in self._q(f"SELECT doc_key FROM invoices WHERE warehouse=? AND"
                                                 f" shipment_id{within}", (wh, *chunk)))
        return out

    def invoices_for_order(self, partner: str, po_number: str) -> list[InvoiceRecord]:
        rows = self._q(f"SELECT {', '.join(INVOICE_COLUMNS)} FROM invoices WHERE partner=? AND po_number=?"
                       " ORDER BY created_at, invoice_number", (partner, po_number))
        return self._invoice_records(rows)

    def invoice_order(self, invoice_number: str) -> tuple[str, str] | None:
        """(partner, PO number) our invoice ``invoice_number`` (its BIG02) billed; None when we sent none so
        numbered (`orderbridge status INVOICE`)."""
        rows = self._q("SELECT partner, po_number FROM invoices WHERE invoice_number=?", (invoice_number,))
        return (rows[0][0], rows[0][1]) if rows else None

    def invoices(self, partner: str | None = None) -> list[InvoiceRecord]:
        sql = f"SELECT {', '.join(INVOICE_COLUMNS)} FROM invoices"
        rows = self._q(sql + (" WHERE partner=?" if partner else "") + " ORDER BY created_at, invoice_number",
                       (partner,) if partner else ())
        return self._invoice_records(rows)

    def _invoice_records(self, rows: list[tuple]) -> list[InvoiceRecord]:
        numbers = [r[0] for r in rows]
        lines: dict[str, list[InvoicedLine]] = {}
        for within, chunk in self._within(numbers):  # each invoice's lines in order, whatever the chunks
            for r in self._q(f"SELECT {', '.join(INVOICE_LINE_COLUMNS)} FROM invoice_lines WHERE invoice_number"
                             f"{within} ORDER BY invoice_number, line_number", chunk):
                lines.setdefault(r[0], []).append(InvoicedLine(r[1], r[2] or "", Decimal(r[3]), r[4] or "",
                                                               Decimal(r[5]), Decimal(r[6]),
                                                               None if r[7] is None else Decimal(r[7]), r[8] or ""))
        out = []
        for r in rows:
            d = dict(zip(INVOICE_COLUMNS, r, strict=True))
            out.append(InvoiceRecord(
                partner=d["partner"], invoice_number=d["invoice_number"], po_number=d["po_number"],
                invoice_date=date.fromisoformat(d["invoice_date"]), lines=tuple(lines.get(d["invoice_number"], ())),
                merchandise=Decimal(d["merchandise"]), charges=Decimal(d["charges"]), total=Decimal(d["total"]),
                doc_key=d["doc_key"], warehouse=d["warehouse"] or "", shipment_id=d["shipment_id"] or "",
                currency=d["currency"] or "", created_at=d["created_at"] or "", run_id=d["run_id"] or "",
                tax=Decimal(d["total"]) - Decimal(d["merchandise"]) - Decimal(d["charges"])))  # (tax: not a column)
        return out

    def document_states(self, partner: str, doc_keys: Iterable[str]) -> dict[str, str]:
        """doc_key -> its document's status (pending, delivered) for the set keys given."""
        keys = sorted(set(doc_keys))
        out: dict[str, str] = {}
        for within, chunk in self._within(keys):
            out.update(self._q("SELECT s.doc_key, d.status FROM document_sets s JOIN documents d ON d.id ="
                               f" s.document_id WHERE s.partner=? AND s.doc_key{within}", (partner, *chunk)))
        return out

    def delivered_at(self, partner: str, doc_keys: Iterable[str]) -> dict[str, str | None]:
        """doc_key -> when its document was delivered (the delivering run's clock; None while it waits)."""
        keys = sorted(set(doc_keys))
        out: dict[str, str | None] = {}
        for within, chunk in self._within(keys):
            out.update(self._q("SELECT s.doc_key, d.delivered_at FROM document_sets s JOIN documents d ON d.id ="
                               f" s.document_id WHERE s.partner=? AND s.doc_key{within}", (partner, *chunk)))
        return out

    # --- 860 change orders ----------------------------------------------------------------------
    def move_pending_change(self, change_id: int, partner: str) -> None:
        """A recorded 860 made ``partner``'s (a continuing partner's 860 waiting for the 850 of the partner whose orders
        it carries on, [continues]: flows.intake._waiting_moved; its tables stored under ``partner`` first)."""
        with self.transaction():
            self._q("UPDATE pending_changes SET partner=? WHERE id=?", (partner, change_id))

    def pending_changes(self, statuses: Iterable[str] | None = ("pending",),
                        keys: Iterable[tuple[str, str]] | None = None) -> list[StoredChange]:
        """Recorded 860s (oldest first): by default those waiting to be applied."""
        sql = f"SELECT {', '.join(CHANGE_COLUMNS)} FROM pending_changes WHERE"
        wanted = list(statuses) if statuses is not None else None
        if keys is not None:
            rows = self._by_keys(sql, keys, "")
            if wanted is not None:
                rows = [r for r in rows if r[7] in wanted]
        elif wanted is not None:
            rows = self._q(f"{sql} status IN ({','.join('?' * len(wanted))})", wanted) if wanted else []
        else:
            rows = self._q(f"{sql} 1=1")
        return [StoredChange(*r[:8], base_key=r[8] or "", revision=r[9] or 0) for r in sorted(rows)]

    # --- findings and runs ----------------------------------------------------------------------
    def findings(self, run_id: str | None = None, partner: str | None = None,
                 po_number: str | None = None) -> list[dict]:
        """The stored findings (of a run, a partner, a PO), each a dict of FINDING_COLUMNS and file_move, its
        consequence as readers show it (schemas.findings.consequence_said: with what its file_move says)."""
        columns = (*FINDING_COLUMNS, *FILE_MOVE_COLUMNS)
        sql, args = f"SELECT {', '.join(columns)} FROM findings WHERE 1=1", []
        for col, value in (("run_id", run_id), ("partner", partner), ("po_number", po_number)):
            if value is not None:
                sql, args = sql + f" AND {col}=?", [*args, value]
        out = [dict(zip(columns, r, strict=True)) for r in self._q(sql + " ORDER BY id", args)]
        for f in out:
            if f["file_move"]:
                f["consequence"] = consequence_said(f["consequence"], f["file_move"])
        return out

    def findings_table(self, run_ids: Iterable[str], *, chunk: int = 50_000) -> pa.Table:
        """The findings of these runs as one Arrow table (schemas.reports.FINDING_ROWS, in id order),
        read ``chunk`` rows at a time: no dict per finding, whatever the volume; a consequence as readers show it
        (schemas.findings.consequence_said: with what its file_move says)."""
        import pyarrow as pa

        from schemas.reports import FINDING_ROWS

        ids = sorted(set(run_ids))
        if not ids:
            return FINDING_ROWS.empty_table()
        batches = []
        with self._lock, _edge(self.path):
            cur = self._db.execute(self.dialect.sql(
                f"SELECT {', '.join((*FINDING_ROWS.names, *FILE_MOVE_COLUMNS))} FROM findings WHERE run_id IN"
                f" ({','.join('?' * len(ids))}) ORDER BY id"), ids)
            said = FINDING_ROWS.names.index("consequence")
            while rows := cur.fetchmany(chunk):
                columns = list(zip(*rows, strict=True))
                moves = columns.pop()
                if any(moves):  # a few files' findings: rendered one by one
                    columns[said] = [consequence_said(c, m) for c, m in zip(columns[said], moves, strict=True)]
                batches.append(pa.RecordBatch.from_arrays(
                    [pa.array(c, type=f.type) for c, f in zip(columns, FINDING_ROWS, strict=True)],
                    schema=FINDING_ROWS))
        return pa.Table.from_batches(batches, schema=FINDING_ROWS)

    def finding_counts_of_run(self, run_id: str) -> dict[tuple[str, str], dict[str, int]]:
        """(partner, file) -> {severity: findings} of the run's findings, every stage's (intake's envelope and
        syntax and decide's business findings alike): what the failures report lists for each file, where the
        files table's error_count holds intake's errors only."""
        out: dict[tuple[str, str], dict[str, int]] = {}
        for partner, file, severity, n in self._q(
                "SELECT partner, file, severity, COUNT(*) FROM findings WHERE run_id=?"
                " GROUP BY partner, file, severity", (run_id,)):
            out.setdefault((partner or "", file or ""), {})[severity] = n
        return out

    def run(self, run_id: str) -> dict | None:
        return next((r for r in self._runs("run_id=?", (run_id,))), None)

    def files_of_runs(self, run_ids: Iterable[str]) -> list[dict]:
        """Input files first recorded by these runs: partner, name, status (processed, quarantined); a file
        whose content was taken again since (`orderbridge retake`) as these runs took it."""
        ids = sorted(set(run_ids))
        return self._file_rows(f"run_id IN ({','.join('?' * len(ids))})", ids, earlier=True) if ids else []

    def documents_of_runs(self, run_ids: Iterable[str]) -> list[dict]:
        """Documents created by these runs, without their content: id, partner, doc_type, file_name,
        isa13, gs06, status (pending, delivered), created_at, delivered_at (run clock), run_id."""
        ids = sorted(set(run_ids))
        keys = ("id", "partner", "doc_type", "file_name", "isa13", "gs06", "status", "created_at", "delivered_at",
                "run_id")
        rows = self._q(f"SELECT {', '.join(keys)} FROM documents WHERE run_id IN ({','.join('?' * len(ids))})"
                       " ORDER BY id", ids) if ids else []
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def lines_of_runs(self, run_ids: Iterable[str]) -> pa.Table:
        """Order lines as they stand now whose last decision was written by these runs (LINE_COLUMNS as
        an Arrow table of strings and integers; decimals as their stored text), sorted partner, PO, line
        (in Arrow: byte order, what SQLite's ORDER BY gave, without its sort of whole rows)."""
        import pyarrow as pa

        ids = sorted(set(run_ids))
        ints = {"line_number", "allocated", "backordered", "rejected", "revision", "unit_eaches"}
        schema = pa.schema([(c, pa.int64() if c in ints else pa.string()) for c in LINE_COLUMNS])
        if not ids:
            return schema.empty_table()
        if len(ids) > 1:
            return self._arrow(f"SELECT {', '.join(LINE_COLUMNS)} FROM order_lines WHERE run_id IN"
                               f" ({','.join('?' * len(ids))})", ids, schema,
                               order=("partner", "po_number", "line_number"))
        # one run: its id is every row's run_id, not read (one column of the 22: ~5% of the read)
        read = [c for c in LINE_COLUMNS if c != "run_id"]
        table = self._arrow(f"SELECT {', '.join(read)} FROM order_lines WHERE run_id IN (?)", ids,
                            pa.schema([schema.field(c) for c in read]), order=("partner", "po_number", "line_number"))
        at = LINE_COLUMNS.index("run_id")
        return table.add_column(at, schema.field(at), pa.repeat(pa.scalar(ids[0], pa.string()), table.num_rows))

    def reservations_of_runs(self, run_ids: Iterable[str], schema: pa.Schema, *, lines: int | None = None,
                             of: pa.Table | None = None) -> pa.Table:
        """The reservations of the order lines lines_of_runs gives (one row per line and warehouse:
        partner, po_number, line_number, warehouse, sku, quantity, as ``schema`` types them), sorted
        partner, PO, line, warehouse. ``lines``: how many lines lines_of_runs gave, when the caller
        knows: where the store holds no more reservations than that (a night's report, its lines
        reserved or shipped), one pass over the reservations looks up each one's line, instead of
        each line of the runs (found through the run_id index) looking up its reservations. ``of``: the
        table lines_of_runs gave for these runs, when the caller has it (its rows count as ``lines``):
        where the store holds no more reservations than it has rows, the reservations are read alone
        (no lookup of a line per reservation: ~half that read's cost) and those of its lines kept."""
        import pyarrow as pa

        ids = sorted(set(run_ids))
        if not ids:
            return schema.empty_table()
        order = ("partner", "po_number", "line_number", "warehouse")
        if of is not None:
            lines = of.num_rows
        few = lines is not None and self._q("SELECT COUNT(*) FROM reservations")[0][0] <= lines
        if few and of is not None:
            every = self._arrow("SELECT partner, po_number, line_number, warehouse, sku, quantity FROM reservations",
                                (), schema, order=order)
            kept = _of_keys(every, of, ("partner", "po_number", "line_number"))
            if kept is not None:
                return every.filter(pa.array(kept))  # still in order
        run = "l.run_id || ''" if few else "l.run_id"  # an expression: SQLite then uses no index for it
        return self._arrow("SELECT r.partner, r.po_number, r.line_number, r.warehouse, r.sku, r.quantity FROM"
                           " reservations r JOIN order_lines l ON l.partner = r.partner AND l.po_number ="
                           f" r.po_number AND l.line_number = r.line_number WHERE {run} IN"
                           f" ({','.join('?' * len(ids))})", ids, schema, order=order)

    def _arrow(self, sql: str, args: Sequence, schema: pa.Schema, *, order: Sequence[str] = (),
               chunk: int = 50_000) -> pa.Table:
        """A query's rows as an Arrow table of ``schema`` (straight from SQLite where _arrow_rows can,
        else columns built a chunk of rows at a time, no object per row kept), sorted by the ``order``
        columns in Arrow (byte order for text)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        from schemas.grouping import in_key_order  # here: `orderbridge status` never loads Arrow

        direct = self._arrow_rows(sql, args)
        if direct is not None:
            from connectors.arrow_sql import typed

            table = typed(direct, schema)
        elif self.dialect.name != "sqlite" and all(pa.types.is_string(f.type) or pa.types.is_integer(f.type)
                                                   for f in schema):
            table = self._copy_arrow(sql, args, schema)
        else:
            batches = [pa.RecordBatch.from_arrays([pa.array(c, type=f.type) for c, f in
                                                   zip(zip(*rows, strict=True), schema, strict=True)], schema=schema)
                       for rows in self._q_chunks(sql, args, size=chunk)]
            table = pa.Table.from_batches(batches, schema=schema)
        if order and not in_key_order(table, order):  # read in order already (the usual case): no sort, no copy
            table = table.take(pc.sort_indices(table, sort_keys=[(c, "ascending") for c in order]))
        return table.combine_chunks()

    def _copy_arrow(self, sql: str, args: Sequence, schema: pa.Schema) -> pa.Table:
        """PostgreSQL: a query's rows (strings and integers) as an Arrow table of ``schema``, through COPY
        (SELECT ...) TO STDOUT as CSV: a null is unquoted and empty, an empty string quoted (""), so both
        come back as they are stored, with no Python value per cell."""
        import io

        import pyarrow as pa
        import pyarrow.csv as pcsv

        with self._lock:
            data = self._db.copy_out(f"COPY ({self.dialect.sql(sql)}) TO STDOUT (FORMAT csv)", args)
        if not data:
            return schema.empty_table()
        table = pcsv.read_csv(
            io.BytesIO(data), read_options=pcsv.ReadOptions(column_names=schema.names, block_size=1 << 24),
            parse_options=pcsv.ParseOptions(newlines_in_values=True),
            convert_options=pcsv.ConvertOptions(column_types=schema, null_values=[""], strings_can_be_null=True,
                                                quoted_strings_can_be_null=False))
        return pa.Table.from_arrays(table.columns, schema=schema)

    def events_of_runs(self, run_ids: Iterable[str], events: Iterable[str]) -> pa.Table:
        """History events of these kinds recorded by these runs, in the order they happened, as an Arrow
        table (RUN_EVENT_COLUMNS: seq an integer, the others strings)."""
        import pyarrow as pa

        ids, kinds = sorted(set(run_ids)), sorted(set(events))
        schema = pa.schema([(c, pa.int64() if c == "seq" else pa.string()) for c in RUN_EVENT_COLUMNS])
        if not ids or not kinds:
            return schema.empty_table()
        return self._arrow(f"SELECT {', '.join(RUN_EVENT_COLUMNS)} FROM order_events WHERE run_id IN"
                           f" ({','.join('?' * len(ids))}) AND event IN ({','.join('?' * len(kinds))})",
                           [*ids, *kinds], schema, order=("seq",))

    def start_run(self, run_id: str, at: str, *, kind: str = "nightly", clock: str = "",
                  recovers: Sequence[str] | None = None) -> None:
        """Record a run as it starts (status running); a rerun with the same id (a run that did not
        finish, resumed under its own id) starts it again. ``recovers``: the runs that did not finish
        whose work this run completes, so its report covers them (flows.reports.run_scope); by default,
        for a nightly run, the nightly runs just before it that did not finish (``unfinished_before``),
        itself included when it resumes its own unfinished run. ``at`` (the machine's clock) is recorded no
        earlier than a second after the latest start on record (_not_before): the runs are ordered by it, and
        a clock gone back (the end of summer time on a server kept in local time) would list a run before the
        one made an hour earlier, and make that one the latest (flows.reports.latest_run)."""
        with self.transaction():
            at = _not_before(at, self._q("SELECT MAX(started_at) FROM runs WHERE run_id <> ?", (run_id,))[0][0])
            if recovers is None:
                recovers = unfinished_before(self.runs(), run_id) if kind == "nightly" else ()
            self._q("INSERT INTO runs (run_id, kind, clock, started_at, status, recovers) VALUES (?,?,?,?,'running',?)"
                    " ON CONFLICT (run_id) DO UPDATE SET started_at=excluded.started_at, status='running',"
                    " finished_at=NULL, recovers=excluded.recovers", (run_id, kind, clock or at, at, _join(recovers)))

    def holds_history(self) -> bool:
        """Whether any run, file, document or control number is recorded (an empty store holds none)."""
        return any(self._q(f"SELECT 1 FROM {t} LIMIT 1") for t in ("runs", "files", "documents", "control_numbers"))

    # --- leases (connectors.lease): one statement each, atomic on both back ends -----------------------
    def lease(self, name: str) -> dict | None:
        """The lease row ``name`` (held, or last released), or None."""
        rows = self._q(f"SELECT {', '.join(LEASE_COLUMNS)} FROM leases WHERE name=?", (name,))
        return _lease_dict(rows[0]) if rows else None

    def leases(self) -> list[dict]:
        return [_lease_dict(r) for r in self._q(f"SELECT {', '.join(LEASE_COLUMNS)} FROM leases ORDER BY name")]

    def claim_lease(self, row: dict, *, replacing: dict | None) -> bool:
        """Write ``row`` (LEASE_COLUMNS) as the lease's holder: where no row is (``replacing`` None), or
        over exactly the row ``replacing`` was (same holder, expiry and released flag: a compare and
        swap, so of two processes taking over the same stale holder one wins). True if written."""
        values = tuple(int(row[c]) if c in ("pid", "released") else row[c] for c in LEASE_COLUMNS)
        if replacing is None:
            return bool(self._q(f"INSERT INTO leases ({', '.join(LEASE_COLUMNS)}) VALUES ({','.join('?' * 11)})"
                                " ON CONFLICT (name) DO NOTHING RETURNING name", values))
        sets = ", ".join(f"{c}=?" for c in LEASE_COLUMNS[1:])
        return bool(self._q(f"UPDATE leases SET {sets} WHERE name=? AND holder_id=? AND expires_at=? AND released=?"
                            " RETURNING name", (*values[1:], row["name"], replacing["holder_id"],
                                                replacing["expires_at"], int(replacing["released"]))))

    def renew_lease(self, row: dict) -> bool:
        """Push the expiry of the lease ``row`` names, if ``row['holder_id']`` still holds it (one
        conditional upsert: a row gone with a restored or new store is written again). False: another
        holder has it (took it over, or took it over and released it) - the caller lost it."""
        values = tuple(int(row[c]) if c in ("pid", "released") else row[c] for c in LEASE_COLUMNS)
        return bool(self._q(f"INSERT INTO leases ({', '.join(LEASE_COLUMNS)}) VALUES ({','.join('?' * 11)})"
                            " ON CONFLICT (name) DO UPDATE SET renewed_at=excluded.renewed_at,"
                            " expires_at=excluded.expires_at, note=excluded.note, run_id=excluded.run_id"
                            " WHERE leases.holder_id=excluded.holder_id AND leases.released=0 RETURNING name", values))

    def release_lease(self, name: str, holder_id: str, at: str) -> bool:
        """Mark the lease released if ``holder_id`` still holds it (the row stays: who held it last)."""
        return bool(self._q("UPDATE leases SET released=1, renewed_at=? WHERE name=? AND holder_id=? AND released=0"
                            " RETURNING name", (at, name, holder_id)))

    def close_crashed_runs(self, at: str, *, detected_by: str = "") -> list[str]:
        """Runs still marked running when no process can be running them (the caller holds the
        workspace lease): their process died. Marked ``crashed`` (finished_at = when this was found);
        their ids, oldest first."""
        with self.transaction():
            ids = [r[0] for r in self._q("SELECT run_id FROM runs WHERE status='running' ORDER BY started_at, run_id")]
            if ids:
                note = json.dumps({"crashed": True, "detected_at": at, "detected_by": detected_by}, sort_keys=True)
                self._many("UPDATE runs SET status='crashed', finished_at=?, summary=? WHERE run_id=?",
                           [(at, note, i) for i in ids])
        return ids

    def finish_run(self, run_id: str, at: str, summary: dict, *, status: str = "finished") -> None:
        self._q("UPDATE runs SET finished_at=?, status=?, summary=? WHERE run_id=?",
                (at, status, json.dumps(summary, sort_keys=True, default=str), run_id))

    def runs(self) -> list[dict]:
        return self._runs("1=1", ())

    def _runs(self, where: str, args: Sequence) -> list[dict]:
        rows = self._q("SELECT run_id, kind, clock, started_at, finished_at, status, summary, recovers FROM runs"
                       " WHERE " + where + " ORDER BY started_at, run_id", args)
        return [{"run_id": r, "kind": k, "clock": c, "started_at": s, "finished_at": f, "status": st,
                 "summary": json.loads(x or "{}"), "recovers": list(_split(rc))}
                for r, k, c, s, f, st, x, rc in rows]

    # --- optimistic checks and backups ----------------------------------------------------------
    def mark(self) -> tuple[int, ...]:
        """Where the store's order-changing sequences stand (history events, 860s, arrivals,
        documents): a stage that reads, plans and then applies passes it to ``apply(unchanged_since=)``."""
        rows = dict(self._q("SELECT name, last FROM sequences WHERE name IN ('event','change','arrival','document')"))
        return tuple(int(rows.get(n, 0)) for n in ("event", "change", "arrival", "document"))

    def backup_to(self, target: Path | str) -> None:
        """A consistent copy of the whole store in ``target`` while readers and writers go on
        (connectors.state_files: SQLite's online backup API), checked before it is renamed into place."""
        from connectors.state_files import online_backup

        with self._lock:
            online_backup(self._db, Path(target))

    # --- reading for people (the console): searches, one run, one file's journey -----------------
    def search_orders(self, *, po: str = "", partner: str = "", states: Iterable[str] = (), since: str = "",
                      until: str = "", sku: str = "", limit: int = 50, offset: int = 0,
                      po_part: str = "", hold_code: str = "", po_loose: str = "", ship_to: str = "",
                      shipped_short: bool = False,
                      store_orders: Iterable[tuple[str, str]] = ()) -> list[OrderRecord]:
        """Orders matching every filter given, newest received first (then partner, PO): ``po`` a PO
        number or its beginning, ``since``/``until`` PO dates (ISO, inclusive), ``sku`` an item on any
        line. Index-backed (PO prefix is a range, SKU goes through order_lines_sku); at most ``limit``
        rows from ``offset`` (ask for one more than a page to know whether another page follows).
        ``po_part``: a part of the PO number anywhere in it, any case of its ASCII letters (a look over
        every PO number: for when its beginning found nothing). ``hold_code``: a code the order is held for
        (a finding's code among its hold_codes). ``po_loose``: the PO number without its blanks, hyphens, slashes,
        dots and leading zeros, in capitals (flows.order_lookup.loose: '4500-012345' for the 0004500012345 sent; a
        look over every PO number, as po_part); every release of a PO held as several (schemas.order_keys) is
        compared by its PO number. ``ship_to``: the store or DC the order was sent to, its N1*ST id (N104) or a
        shipped line's mark-for store (SDQ), without leading zeros, in capitals (the indexes orders_ship_to and
        shipment_lines_store); ``store_orders``: the (partner, PO) orders counted as the store's too (those whose
        PO's SDQ names it before anything ships: flows.order_lookup.sdq_orders). ``shipped_short``: orders a line
        of which shipped less than ordered (shipped some, or its balance was cancelled after a short shipment:
        its balance_cancelled)."""
        where, args = ["1=1"], []
        if po_loose:  # a release's key is its PO number, SEP and the release: the part before SEP compared (SEP
            # is in no PO number: the key with SEP after it begins the loose key with SEP after it, or is it)
            where.append(f"SUBSTR({_LOOSE_PO} || ?, 1, ?) = ?")
            args += [SEP, len(po_loose) + 1, po_loose + SEP]
        joined, joined_args = "", []
        if ship_to:  # the store's orders, each way through its index (orders_ship_to, shipment_lines_store, the key),
            wanted = ship_to.lstrip("0").upper()  # joined: read by their keys, not by a walk over every order
            sdq: dict[str, list[str]] = {}
            for key in store_orders:
                sdq.setdefault(key[0], []).append(key[1])
            joined = (" JOIN (SELECT partner AS store_partner, po_number AS store_po FROM orders WHERE"
                      " UPPER(LTRIM(ship_to_id, '0')) = ? UNION SELECT partner, po_number FROM shipment_lines WHERE"
                      " UPPER(LTRIM(mark_for_store, '0')) = ?"
                      + "".join(f" UNION SELECT partner, po_number FROM orders WHERE partner = ? AND po_number"
                                f"{self.dialect.one_list()}" for _ in sdq)
                      + ") store_keys ON partner = store_partner AND po_number = store_po")
            joined_args = [wanted, wanted, *(v for p in sorted(sdq) for v in (p, self.dialect.list_value(sdq[p])))]
        if shipped_short:
            where.append("(partner, po_number) IN (SELECT partner, po_number FROM order_lines WHERE state NOT IN"
                         " ('deleted', 'cancelled') AND ((CAST(NULLIF(shipped, '') AS REAL) > 0 AND"
                         " CAST(NULLIF(shipped, '') AS REAL) < CAST(NULLIF(ordered, '') AS REAL))"
                         " OR balance_cancelled IS NOT NULL))")
        if po:
            where.append("(po_number=? OR (po_number>=? AND po_number<?))")
            args += [po, po, po + "\U0010ffff"]
        if po_part:
            where.append("UPPER(po_number) LIKE ? ESCAPE '!'")
            args.append("%" + _like_text(po_part.upper()) + "%")
        if hold_code:
            where.append("(',' || hold_codes || ',') LIKE ? ESCAPE '!'")
            args.append(f"%,{_like_text(hold_code)},%")
        if partner:
            where, args = [*where, "partner=?"], [*args, partner]
        wanted = [str(s) for s in states]
        if wanted:
            where.append(f"state IN ({','.join('?' * len(wanted))})")
            args += wanted
        if since:
            where, args = [*where, "po_date>=?"], [*args, since]
        if until:
            where, args = [*where, "po_date<=?"], [*args, until]
        if sku:
            where.append("(partner, po_number) IN (SELECT partner, po_number FROM order_lines WHERE sku=?)")
            args.append(sku)
        rows = self._q(f"SELECT {', '.join(ORDER_COLUMNS)} FROM orders{joined} WHERE {' AND '.join(where)}"
                       " ORDER BY received_at DESC, partner, po_number LIMIT ? OFFSET ?",
                       [*joined_args, *args, max(0, int(limit)), max(0, int(offset))])
        return [_order_from_row(r) for r in rows]

    def quoted_documents(self, *, invoices: Sequence[str] = (), shipments: Sequence[str] = (),
                         carrier_refs: Sequence[str] = (), ssccs: Sequence[str] = (), labels: Sequence[str] = (),
                         partners: Sequence[str] = ()) -> list[tuple[str, str, str]]:
        """(partner, PO number, what named it) of the orders our documents name by what a buyer quotes: ``invoices``
        our 810s' numbers (BIG02: the table's key), ``shipments`` our 856s' shipment ids (BSN02) of ``partners``'
        (through shipments_shipment), ``carrier_refs`` a shipment's tracking number or bill of lading (a look over every
        shipment: one row a shipment, no index), ``ssccs`` and ``labels`` a carton's or pallet's SSCC (its unique
        index) or the warehouse's label (cartons_label): the orders whose lines it carries (or the PO it was packed
        for). Each order once, as the first way that named it (invoices, then cartons, then shipments)."""
        found: dict[tuple[str, str], str] = {}
        for number in dict.fromkeys(invoices):
            for partner, po in self._q("SELECT partner, po_number FROM invoices WHERE invoice_number=?", (number,)):
                found.setdefault((partner, po), f"invoice {number}")
        heads: list[tuple[str, str, str]] = []  # (warehouse, shipment id, how)
        partners = sorted(set(partners))
        for sid in dict.fromkeys(shipments):
            heads += [(w, s, f"shipment {s}") for w, s in self._q(
                f"SELECT warehouse, shipment_id FROM shipments WHERE partner IN ({','.join('?' * len(partners))})"
                " AND shipment_id=?", [*partners, sid])] if partners else []
        for ref in dict.fromkeys(carrier_refs):
            heads += [(w, s, f"tracking {ref} (shipment {s})" if t == ref else f"bill of lading {ref} (shipment {s})")
                      for w, s, t in self._q("SELECT warehouse, shipment_id, tracking_number FROM shipments WHERE"
                                             " tracking_number=? OR bill_of_lading=?", (ref, ref))]
        for column, values in (("sscc", ssccs), ("label", labels)):
            for value in dict.fromkeys(values):
                for w, s, level, label, sscc, po in self._q(
                        f"SELECT warehouse, shipment_id, level, label, sscc, po_number FROM cartons WHERE {column}=?",
                        (value,)):
                    what = f"{'pallet' if level == 'T' else 'carton'} {sscc} (label {label}, shipment {s})"
                    rows = self._q("SELECT DISTINCT partner, po_number FROM shipment_lines WHERE warehouse=? AND"
                                   " shipment_id=? AND (carton=? OR pallet=?)", (w, s, label, label))
                    if not rows and po:
                        rows = [(p, po) for (p,) in self._q("SELECT partner FROM shipments WHERE warehouse=? AND"
                                                            " shipment_id=?", (w, s))]
                    for key in rows:
                        found.setdefault((key[0], key[1]), what)
        for w, s, how in heads:
            for partner, po in self._q("SELECT DISTINCT partner, po_number FROM shipment_lines WHERE warehouse=? AND"
                                       " shipment_id=? ORDER BY partner, po_number", (w, s)):
                found.setdefault((partner, po), how)
        return [(p, po, how) for (p, po), how in found.items()]

    def hold_codes(self, states: Iterable[str]) -> list[str]:
        """The codes orders in ``states`` are held for, sorted (the approvals queue's choice of reasons)."""
        wanted = [str(s) for s in states]
        if not wanted:
            return []
        rows = self._q(f"SELECT DISTINCT hold_codes FROM orders WHERE state IN ({','.join('?' * len(wanted))})",
                       wanted)
        return sorted({c for (text,) in rows for c in _split(text)})

    def order_values(self, states: Iterable[str], *, by_currency: bool = False) -> dict:
        """The value of every order in ``states``, summed exactly per partner (open orders: exposure); with
        ``by_currency`` per (partner, the PO's currency, "" for a PO that named none), never two currencies in one."""
        wanted = [str(s) for s in states]
        totals: dict = {}
        if not wanted:
            return totals
        for partner, currency, value in self._q(f"SELECT partner, currency, value FROM orders WHERE state IN"
                                                f" ({','.join('?' * len(wanted))})", wanted):
            key = (partner, currency or "") if by_currency else partner
            totals[key] = totals.get(key, Decimal(0)) + (_dec(value) or Decimal(0))
        return totals

    def last_event(self) -> int:
        """The newest history sequence number: it moves whenever any order changes (a cheap stamp for
        readers that keep totals between requests)."""
        return int(self._q("SELECT COALESCE(MAX(seq), 0) FROM order_events")[0][0])

    def files_of_run(self, run_id: str) -> list[dict]:
        """The input files a run took in (oldest first; a file taken again since as this run took it)."""
        return self._file_rows("run_id=?", (run_id,), earlier=True)

    def file(self, partner: str, sha256: str) -> dict | None:
        rows = self._file_rows("partner=? AND sha256=?", (partner, sha256))
        return rows[0] if rows else None

    def _file_rows(self, where: str, args: Sequence, *, earlier: bool = False) -> list[dict]:
        """`files` rows (with ``earlier``: and the earlier takes of file_takes too, a run's view of the files it
        took) as dicts, by time received and name."""
        keys = ("partner", "sha256", "name", "size", "received_at", "status", "archive_path", "error_count",
                "run_id")
        sql = f"SELECT {', '.join(keys)} FROM files WHERE {where}"
        if earlier:
            sql, args = f"{sql} UNION ALL SELECT {', '.join(keys)} FROM file_takes WHERE {where}", [*args, *args]
        rows = [dict(zip(keys, r, strict=True)) for r in self._q(f"{sql} ORDER BY received_at, name", args)]
        taken = self._orders_taken_from({(r["partner"], r["sha256"]) for r in rows if r["status"] == "quarantined"})
        for r in rows:  # a quarantined file whose good orders were taken all the same (one good PO, one bad set)
            r["partly_taken"] = taken.get((r["partner"], r["sha256"]), 0) > 0
        return rows

    def _orders_taken_from(self, files: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """(partner, sha256) -> how many orders came from that file (orders.source_sha256), for ``files``."""
        out: dict[tuple[str, str], int] = {}
        shas = sorted({sha for _, sha in files})
        for at in range(0, len(shas), 500):
            chunk = shas[at:at + 500]
            for partner, sha, n in self._q("SELECT partner, source_sha256, COUNT(*) FROM orders WHERE source_sha256"
                                           f" IN ({','.join('?' * len(chunk))}) GROUP BY partner, source_sha256",
                                           chunk):
                if (partner, sha) in files:
                    out[(partner, sha)] = n
        return out

    def journey(self, partner: str, sha256: str) -> dict:
        """What became of one input file: the orders it brought, the 860s it carried, and every
        transaction set sent that answers it (997/TA1) or an order it brought (855/865)."""
        orders = self._q("SELECT po_number, state FROM orders WHERE partner=? AND source_sha256=? ORDER BY"
                         " po_number", (partner, sha256))
        changes = self._q("SELECT po_number, status FROM pending_changes WHERE partner=? AND store_key=?"
                          " ORDER BY id", (partner, sha256))
        cols = ("d.id", "d.doc_type", "d.file_name", "d.isa13", "s.gs06", "s.st02", "s.po_number", "d.status",
                "d.created_at", "d.delivered_at")
        sets = self._q(f"SELECT {', '.join(cols)} FROM document_sets s JOIN documents d ON d.id = s.document_id"
                       " WHERE s.partner=? AND s.source_sha256=? ORDER BY d.id, s.position", (partner, sha256))
        keys = [c.split(".")[1] for c in cols]
        return {"orders": [{"po_number": p, "state": s} for p, s in orders],
                "changes": [{"po_number": p, "status": s} for p, s in changes],
                "documents": [dict(zip(keys, r, strict=True)) for r in sets]}


# --- rows <-> records --------------------------------------------------------------------------------
_SET_IDS = {"FA": "997", "PR": "855", "RS": "870", "CA": "865", "SH": "856", "IN": "810", "GP": "880"}


def _line_orders(plan: Plan) -> set[tuple[str, str]]:
    """The orders whose stored lines a plan writes (apply's _write_lines and _update_lines)."""
    out = {(ol.partner, ol.po_number) for ol in plan.lines} | {(u[0], u[1]) for u in plan.line_updates}
    for t in (*plan.line_tables, *plan.line_update_tables):
        out.update(_order_keys(t))
    return out


def _reservation_orders(plan: Plan) -> set[tuple[str, str]]:
    """The orders whose reservations a plan replaces (apply's _write_reservations)."""
    out = {(r.partner, r.po_number) for r in plan.reservations}
    for t in plan.reservation_tables:
        out.update(zip(t.keys["partner"].to_pylist(), t.keys["po_number"].to_pylist(), strict=True))
    return out


def _read_order(keys: Iterable[tuple[str, str]], size: int = CHUNK) -> list[tuple[str, str]]:
    """``keys``' orders as _arrow_by_keys reads their rows from the store: a partner's chunk of ``size`` orders
    after another (_partner_chunks), each chunk's by PO number (byte order, as SQLite's: a str's code points are)."""
    return [(partner, po) for partner, pos in _partner_chunks(keys, size) for po in sorted(pos)]


def _order_keys(table) -> list[tuple[str, str]]:
    """The (partner, po_number) pairs of a table's rows, once each, in first-seen order; only the rows
    where the pair changes from the row before are read into Python (an order's rows are usually together)."""
    import numpy as np
    import pyarrow.compute as pc

    n = table.num_rows
    if n < 2:
        return list(dict.fromkeys(zip(table["partner"].to_pylist(), table["po_number"].to_pylist(), strict=True)))
    partner, po = table["partner"], table["po_number"]
    changed = pc.or_(pc.not_equal(partner.slice(1), partner.slice(0, n - 1)),
                     pc.not_equal(po.slice(1), po.slice(0, n - 1)))
    at = np.concatenate([[0], np.flatnonzero(pc.fill_null(changed, True).to_numpy(zero_copy_only=False)) + 1])
    firsts = table.select(["partner", "po_number"]).take(at)
    return list(dict.fromkeys(zip(firsts["partner"].to_pylist(), firsts["po_number"].to_pylist(), strict=True)))


def _rows_of(table, columns: Sequence[str], chunk: int = 20_000) -> Iterator[tuple]:
    """A table's rows as tuples of ``columns``, a slice at a time (never every value as a Python object
    at once)."""
    def rows(start: int) -> Iterator[tuple]:
        part = table.slice(start, chunk)
        return zip(*(part[c].to_pylist() for c in columns), strict=True)

    # chained in C: no Python frame resumed per row (a night writes 400,000 of them)
    return itertools.chain.from_iterable(map(rows, range(0, table.num_rows, chunk)))


def _flat_batches(table, columns: Sequence[str], per: int, chunk: int = 20_000, *, order=None) -> Iterator[list]:
    """A table's rows ``per`` at a time, each batch one flat list of their ``columns``' values row after
    row (one multi-row statement's parameters; the last batch shorter): each column's values put in
    place by one slice assignment (in C), no tuple made per row (a 200,000-line decide: 0.19 -> 0.12 s
    CPU); a slice of ``chunk`` rows (a multiple of ``per``) read into Python at a time. ``order``: the
    rows' indices in the order wanted (an integer array; each slice of it taken in turn)."""
    k, chunk = len(columns), max(per, chunk - chunk % per)
    n = table.num_rows if order is None else len(order)
    for start in range(0, n, chunk):
        part = table.slice(start, chunk) if order is None else table.select(list(columns)).take(
            order.slice(start, chunk))  # (only the columns bound: the others are not read)
        values = [part[c].to_pylist() for c in columns]
        m = min(chunk, n - start)
        for i in range(0, m, per):
            flat = [None] * (min(per, m - i) * k)
            for j, column in enumerate(values):
                flat[j::k] = column[i:i + per]
            yield flat


_SAFE_TEXT = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 _.:/+-")


def _partner_chunks(keys: Iterable[tuple[str, str]], size: int) -> Iterator[tuple[str, list[str]]]:
    """(partner, up to ``size`` of its POs) for (partner, po_number) ``keys``: partners in first-seen
    order, each key once."""
    by_partner: dict[str, list[str]] = {}
    for partner, po in dict.fromkeys(keys):
        by_partner.setdefault(partner, []).append(po)
    for partner, pos in by_partner.items():
        for i in range(0, len(pos), size):
            yield partner, pos[i:i + size]


def _of_keys(table, of, keys: Sequence[str]):
    """Which rows of ``table`` have their ``keys`` columns' values as a row of ``of`` (a boolean numpy
    array): each key column's values numbered by their place among ``of``'s distinct values (a hash look-up
    per value, in Arrow), the numbers of a row made one integer, and those of ``table`` looked up among
    those of ``of``; None where a key column holds a null or the integers could overflow (the caller then
    joins in SQL)."""
    import numpy as np
    import pyarrow.compute as pc

    if not table.num_rows or not of.num_rows:
        return np.zeros(table.num_rows, dtype=bool)
    ours = np.zeros(of.num_rows, dtype=np.int64)
    theirs = np.zeros(table.num_rows, dtype=np.int64)
    missing = np.zeros(table.num_rows, dtype=bool)
    size = 1
    for c in keys:
        col, against = of[c].combine_chunks(), table[c]
        if col.null_count or against.null_count:
            return None
        numbered = pc.dictionary_encode(col)
        known = numbered.dictionary
        size *= len(known)
        if size >= 2**62:
            return None
        at = pc.index_in(against, value_set=known)
        missing |= at.is_null().to_numpy(zero_copy_only=False)
        ours = ours * len(known) + numbered.indices.to_numpy()
        theirs = theirs * len(known) + pc.fill_null(at, 0).to_numpy()
    return np.isin(theirs, ours) & ~missing


def _column_literals(table, columns: Sequence[str], order=None) -> dict[str, str]:
    """The columns of an Arrow table with one value in every row (``order``: every row it names) or only
    nulls, each as the SQL literal that writes it (a value _literal cannot write safely is left out: bound
    per row)."""
    import pyarrow.compute as pc

    n = table.num_rows if order is None else len(order)
    literal: dict[str, str] = {}
    for c in columns:
        col = table[c] if order is None else pc.take(table[c], order)
        if col.null_count == n:
            literal[c] = "NULL"
        elif col.null_count == 0 and n > 1:
            if pc.all(pc.equal(col, col[0])).as_py():  # one value in every row (cheaper than count_distinct)
                text = _literal(col[0].as_py())
                if text is not None:
                    literal[c] = text
    return literal


def _same_literal(rows: Sequence[tuple], i: int) -> str | None:
    """The SQL literal of the value at ``i`` when every row (more than one) holds that same value there
    and _literal can write it; else None (bound per row)."""
    if len(rows) < 2:
        return None
    at = operator.itemgetter(i)
    values = set(map(at, rows))  # (in C: no Python step per row)
    if len(values) != 1 or len(set(map(type, map(at, rows)))) != 1:
        return None
    return _literal(values.pop())


def _literal(value) -> str | None:
    """A value as an SQL literal both dialects read back as the bound value would be (None: bind it)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and len(value) <= 200 and set(value) <= _SAFE_TEXT:
        return f"'{value}'"
    return None


def _answers(row: dict, record: OrderRecord, shas: set[str]) -> bool:
    """A 997/TA1 answers the order when it answers its 850's interchange (and group) or an 860's file."""
    if row["source_sha256"] != record.source_sha256:
        return row["source_sha256"] in shas
    if row["answers_isa13"] and row["answers_isa13"] != record.isa13:
        return False
    return not (row["doc_type"] == "997" and row["answers_gs06"] and row["answers_gs06"] != record.gs06)


def _held_content(d: PlannedDocument) -> bytes:
    """What a held document needs to be numbered and rendered later (it has no control numbers): a set its planner
    rendered (855s, 856s, 810s) keeps its text and segment count, and the document the delimiters it was rendered
    with (they were not kept: such a document was released with empty sets, its BAK .. CTT lost); a CSV
    acknowledgment its bytes (base64; they were not kept either: its partner's every delivery then failed)."""
    return json.dumps({"doc_type": d.doc_type, "functional_id": d.functional_id, "ta1": list(d.ta1),
                       **({"content": base64.b64encode(d.content).decode("ascii")} if d.content else {}),
                       "sets": [{"doc_key": s.doc_key, "body": s.body, "po_number": s.po_number,
                                 "source_sha256": s.source_sha256, "answers_isa13": s.answers_isa13,
                                 "answers_gs06": s.answers_gs06, **({"text": s.text, "segments": s.segments}
                                                                    if s.text else {})} for s in d.sets],
                       **({"to": _address(d.to)} if d.to else {}),
                       **({"delimiters": list(astuple(d.delimiters))} if d.delimiters is not None else {})}).encode()


def _address(to) -> list[str]:
    """A held document's Address as stored: ISA07, ISA08, GS03 and (only when set: rows held before read alike)
    our GS02, then the answer's release (a 997 in its group's version), then its ISA12 (a TA1 in the control version
    of the interchange it answers), then our ISA05 and ISA06 (an answer from another of our interchange ids)."""
    ours = to.isa_sender_qualifier or to.isa_sender_id
    later = to.version or to.isa_version or ours
    return [to.isa_qualifier, to.isa_id, to.gs_id, *([to.gs_sender] if to.gs_sender or later else []),
            *([to.version] if later else []), *([to.isa_version] if to.isa_version or ours else []),
            *([to.isa_sender_qualifier, to.isa_sender_id] if ours else [])]


def _tuples(value):
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def _held_document(partner: str, content: bytes) -> PlannedDocument:
    from schemas.x12 import Address, Delimiters  # here, not at the top: schemas.x12 loads pyarrow (`status`: never)

    saved = json.loads(content)
    return PlannedDocument(partner, saved["doc_type"], saved["functional_id"], tuple(
        PlannedSet(s["doc_key"], _tuples(s["body"]), s["po_number"], s["source_sha256"], s["answers_isa13"],
                   s["answers_gs06"], text=s.get("text", ""), segments=s.get("segments", 0)) for s in saved["sets"]),
        ta1=_tuples(saved["ta1"]), content=base64.b64decode(saved["content"]) if saved.get("content") else b"",
        to=Address(*saved["to"]) if saved.get("to") else None,
        delimiters=Delimiters(*saved["delimiters"]) if saved.get("delimiters") else None)


FINISHED = ("finished", "failed")  # a run in any other state ("running", "crashed") did not finish


def unfinished_before(runs: Sequence[dict], run_id: str) -> list[str]:
    """The nightly runs (``runs`` as StateStore.runs lists them, oldest first) that did not finish just
    before ``run_id`` - a new run comes after all of them -, oldest first, and ``run_id`` itself when it
    is one of them that did not finish (resumed): the runs whose work ``run_id`` completes."""
    nightly = [r for r in runs if r["kind"] == "nightly"]
    ids = [r["run_id"] for r in nightly]
    i = ids.index(run_id) if run_id in ids else len(ids)
    covered = [run_id] if i < len(ids) and nightly[i]["status"] not in FINISHED else []
    while i > 0 and nightly[i - 1]["status"] not in FINISHED:
        i -= 1
        covered.append(ids[i])
    return covered[::-1]


def _shipment_row(r: ShipmentRecord) -> tuple:
    return (r.warehouse, r.shipment_id, r.partner, r.stock_warehouse, r.source_kind, r.source_file, r.source_sha256,
            r.isa13, r.gs06, r.st02, r.ship_date.isoformat(), r.ship_time.isoformat() if r.ship_time else None,
            r.carrier_scac, r.service_level, r.tracking_number, r.bill_of_lading, r.departed_at, r.asn_due_at,
            r.asn_doc_key, r.asn_at, int(r.late), r.billing, r.run_id, r.transport_method or None)


def _shipped_line_rows(shipments: Sequence[ShipmentRecord], text: Callable) -> list[tuple]:
    """The shipment_lines rows (SHIPPED_LINE_COLUMNS) of these shipments, their lines numbered from 1 in
    each: _shipped_line_columns transposed (PostgreSQL's COPY takes rows)."""
    return list(zip(*_shipped_line_columns(shipments, text), strict=True))


def _carton_rows(shipments: Sequence[ShipmentRecord], text: Callable) -> list[tuple]:
    """The cartons rows (CARTON_COLUMNS) of these shipments, in their order."""
    return [(r.warehouse, r.shipment_id, c.level, c.label, c.sscc, c.serial, c.pallet, c.po_number, text(c.weight),
             c.weight_unit) for r in shipments for c in r.cartons]


def _shipped_line_columns(shipments: Sequence[ShipmentRecord], text: Callable) -> list[list]:
    """The shipment_lines columns (SHIPPED_LINE_COLUMNS' order) of these shipments, their lines numbered from 1
    in each: built a column at a time (a ShippedLine is a tuple: its fields transposed in C, no Python step per
    line; a night's 856s carry 100,000 lines)."""
    counts = [len(r.lines) for r in shipments]
    if not sum(counts):
        return []

    def each(values: Iterable) -> list:  # a shipment's value for each of its lines
        return list(itertools.chain.from_iterable(map(itertools.repeat, values, counts)))

    block = _one_block(shipments)
    if block is not None:  # the planner's lines, one block in the shipments' order: its columns as they are
        t = block.table
        po, line, line_id, sku, unit, carton, pallet, row, segment, store, net_unit = (t[name].to_pylist() for name in (
            "po_number", "line_number", "line_id", "sku", "unit", "carton", "pallet", "row_number", "file_segment",
            "mark_for_store", "net_weight_unit"))
        quantity, net = _decimal_texts(t["quantity"], text), _decimal_texts(t["net_weight"], text)
    else:
        lines = list(itertools.chain.from_iterable(r.lines for r in shipments))
        po, line, line_id, sku, quantity, unit, carton, pallet, row, segment, store, net, net_unit = zip(
            *lines, strict=True)
        quantity, net = list(map(text, quantity)), [None if w is None else text(w) for w in net]
    return [each(r.warehouse for r in shipments), each(r.shipment_id for r in shipments),
            list(itertools.chain.from_iterable(map(range, itertools.repeat(1), [c + 1 for c in counts]))),
            each(r.partner for r in shipments), po, line, line_id, sku, quantity, unit, carton,
            pallet, row, segment, [s or None for s in store], net, [u or None for u in net_unit]]


def _one_block(shipments: Sequence[ShipmentRecord]) -> ShippedLineBlock | None:
    """The ShippedLineBlock whose rows are exactly these shipments' lines, one after another (the ship
    planner's: ShippedLines); None when their lines are tuples, or rows of several blocks or not in order."""
    first = shipments[0].lines
    if not isinstance(first, ShippedLines):
        return None
    block, at = first.block, 0
    for r in shipments:
        lines = r.lines
        if not isinstance(lines, ShippedLines) or lines.block is not block or lines.start != at:
            return None
        at = lines.stop
    return block if at == block.num_rows else None


def _decimal_texts(column, text: Callable) -> list:
    """``text`` of each value of an Arrow decimal column (None: null), made once per distinct value."""
    import pyarrow as pa
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column)
    texts = pa.array([text(v) for v in encoded.dictionary.to_pylist()], pa.string())
    return texts.take(encoded.indices).to_pylist()


def _fixed_literals(columns: Sequence[str], fixed: Mapping[str, object]) -> dict[int, str]:
    """The SQL literals of ``fixed`` (column -> the value every row has) by their index in ``columns``: "NULL"
    for None; a value _literal cannot write safely is left out (bound per row)."""
    out = {}
    for i, c in enumerate(columns):
        if c in fixed:
            text = "NULL" if fixed[c] is None else _literal(fixed[c])
            if text is not None:
                out[i] = text
    return out


def _same_values(column: Sequence) -> str | None:
    """The SQL literal of ``column``'s one value when every value (more than one) is that value, of one
    type (_literal can write it; "NULL" for only nulls); else None (bound per row)."""
    if len(column) < 2 or column[0] != column[-1]:  # (a column that varies differs at its ends, mostly)
        return None
    values = set(column)  # (in C: no Python step per value)
    if len(values) != 1:
        return None
    value = values.pop()
    if value is None:
        return "NULL"
    if len(set(map(type, column))) != 1:
        return None
    return _literal(value)


def _invoice_line_columns(invoices: Sequence[InvoiceRecord], text: Callable) -> list[list]:
    """The invoice_lines columns (INVOICE_LINE_COLUMNS' order) of these invoices, a column at a time (an
    InvoicedLine is a tuple, transposed in C as _shipped_line_columns reads a ShippedLine; the lines of an 810
    written with its batch, BatchLines, as their batch's columns: a run of them one slice each); [] for no line."""
    columns: list[list] = [[] for _ in INVOICE_LINE_COLUMNS]
    plain: list[InvoiceRecord] = []
    batch: list = [None, 0, 0]  # the BatchLines run being taken: its columns, start, end

    def take_batch() -> None:
        texts, a, b = batch
        if texts is not None and b > a:
            for column, values in zip(columns[1:7], texts, strict=True):
                column.extend(values[a:b])
            columns[7].extend(itertools.repeat(None, b - a))  # (no line of a batch is billed by weight)
            columns[8].extend(itertools.repeat(None, b - a))
        batch[:] = [None, 0, 0]

    def take_plain() -> None:
        lines = list(itertools.chain.from_iterable(v.lines for v in plain))
        if lines:
            number, line_id, quantity, unit, price, amount, weight, weight_unit = zip(*lines, strict=True)
            for column, values in zip(columns[1:], (number, line_id, map(text, quantity), unit, map(text, price),
                                                    map(text, amount), map(text, weight),
                                                    (u or None for u in weight_unit)), strict=True):
                column.extend(values)
        plain.clear()

    for v in invoices:
        lines = v.lines
        if isinstance(lines, BatchLines):
            if plain:
                take_plain()
            if batch[0] is not lines.texts or batch[2] != lines.start:
                take_batch()
                batch[:] = [lines.texts, lines.start, lines.start]
            batch[2] = lines.stop
        else:
            take_batch()
            plain.append(v)
        columns[0].extend(itertools.repeat(v.invoice_number, len(lines)))
    take_plain()
    take_batch()
    return columns if columns[0] else []


# a PO number as people type it loosely (flows.order_lookup.loose): capitals, without blanks, hyphens, slashes, dots
# and leading zeros (ASCII letters only change case, as UPPER does on both back ends)
_LOOSE_PO = ("LTRIM(REPLACE(REPLACE(REPLACE(REPLACE(UPPER(po_number), ' ', ''), '-', ''), '/', ''), '.', ''),"
             " '0')")


def _like_text(text: str) -> str:
    """``text`` in a LIKE pattern with ESCAPE '!': its %, _ and ! are themselves."""
    return "".join("!" + ch if ch in "!%_" else ch for ch in text)


def _not_before(at: str, latest: str | None) -> str:
    """A run's start ``at``, or a second after ``latest`` (the latest start on record) when ``at`` is not after it
    (the clock went back, or two runs started in one second: a tie would be ordered by run id, i.e. by clock)."""
    if not latest or at > latest:
        return at
    try:
        return (datetime.fromisoformat(latest) + timedelta(seconds=1)).isoformat()
    except ValueError:  # a start recorded in another form: left as the clock says
        return at


def _join(values: Iterable) -> str:
    return ",".join(str(v) for v in values) if values else ""


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(x for x in (text or "").split(",") if x)


def _dtexts() -> Callable[[Decimal | None], str | None]:
    """decimal_text with each distinct value's text made once (equal values, equal text: a night's
    quantities and prices repeat few values)."""
    return _DecimalTexts().__getitem__  # a known value's text without a Python call


class _DecimalTexts(dict[Decimal | None, str | None]):
    """decimal_text of each value asked, made once."""

    def __missing__(self, value: Decimal | None) -> str | None:
        t = self[value] = decimal_text(value)
        return t


def _dec(text: str | None) -> Decimal | None:
    return Decimal(text) if text not in (None, "") else None


assert len(ORDER_COLUMNS) == 50 and ORDER_COLUMNS[-1] == "moved_shipped"  # _order_from_row unpacks them by position


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _order_row(r: OrderRecord) -> tuple:
    p = r.person
    return (r.partner, r.po_number, r.state.value, r.revision, r.answered_revision, r.order_ref, r.lines_key,
            r.source_file, r.source_sha256, r.isa13, r.gs06, r.st02, r.arrival, r.purpose, r.x12_version,
            r.po_date.isoformat() if r.po_date else None, r.currency, decimal_text(r.value), r.ack_type,
            r.answered_with,
            _join(r.hold_codes), json.dumps(list(r.hold_reasons)) if r.hold_reasons else "[]", _join(r.codes),
            p.verdict if p else None, p.by if p else None, p.at if p else None, p.reason if p else None,
            _join(r.changed_lines),
            r.change_file, r.line_count, r.received_at, r.updated_at, r.run_id, r.gs02, r.gs03, r.order_type,
            r.isa05, r.isa06, r.isa07, r.isa08, r.buyer_name, r.buyer_id_qualifier, r.buyer_id, r.ship_to_name,
            r.ship_to_id_qualifier, r.ship_to_id, r.contract_number, r.agreement_number, r.moved_from or None,
            ",".join(f"{n}:{decimal_text(q)}" for n, q in r.moved_shipped) or None)


def _order_from_row(row: tuple) -> OrderRecord:
    (partner, po_number, state, revision, answered_revision, order_ref, lines_key, source_file, source_sha256, isa13,
     gs06, st02, arrival, purpose, x12_version, po_date, currency, value, ack_type, answered_with, hold_codes,
     hold_reasons, codes, decision, decided_by, decided_at, decision_note, changed_lines, change_file, line_count,
     received_at, updated_at, run_id, gs02, gs03, order_type, isa05, isa06, isa07, isa08, *parties, contract,
     agreement, moved_from, moved_shipped) = row
    # ORDER_COLUMNS, by position (a night reads all)
    person = PersonDecision(decision, decided_by or "", decision_note or "", decided_at or "") if decision else None
    return OrderRecord(
        partner, po_number, _ORDER_STATES.get(state) or OrderState(state), revision, answered_revision,
        order_ref or "", lines_key or "",
        source_file or "", source_sha256 or "", isa13 or "", gs06 or "", st02 or "", arrival or 0, purpose or "",
        x12_version or "", _day(po_date), currency or "", _dec(value) or Decimal(0), ack_type or "",
        answered_with or "", _split(hold_codes) if hold_codes else (),
        tuple(json.loads(hold_reasons)) if hold_reasons and hold_reasons != "[]" else (),
        _split(codes) if codes else (), person,
        tuple(int(x) for x in _split(changed_lines)) if changed_lines else (), change_file or "", line_count or 0,
        received_at or "", updated_at or "", run_id or "", gs02 or "", gs03 or "", order_type or "", isa05 or "",
        isa06 or "", isa07 or "", isa08 or "", *(v or "" for v in parties), contract, agreement, moved_from or "",
        tuple((int(n), Decimal(q)) for n, _, q in (p.partition(":") for p in moved_shipped.split(",")))
        if moved_shipped else ())


_ORDER_STATES = {s.value: s for s in OrderState}  # a night reads every order: a dict lookup, not Enum's call


def _line_row(ln: LineRecord) -> tuple:
    """schemas.lifecycle.line_row in LINE_COLUMNS' order, without the dict (every line a stage writes)."""
    return (ln.partner, ln.po_number, ln.line_number, ln.line_id, ln.sku, ln.state.value, ln.ack,
            decimal_text(ln.ordered), ln.unit, decimal_text(ln.unit_price), decimal_text(ln.ack_price), ln.allocated,
            ln.backordered, ln.rejected, ln.promised_date.isoformat() if ln.promised_date else None, ln.warehouses,
            ln.reason, ",".join(str(c) for c in ln.codes), ln.revision, ln.run_id, decimal_text(ln.shipped),
            decimal_text(ln.invoiced), ln.ordered_sku, decimal_text(ln.rejected_fraction) if ln.rejected_fraction
            else None, decimal_text(ln.priced_per) if ln.priced_per != 1 else None, ln.unit_eaches or None,
            decimal_text(ln.backordered_over) if ln.backordered_over else None,
            decimal_text(ln.balance_cancelled) if ln.balance_cancelled else None,
            decimal_text(ln.expired) if ln.expired else None, ln.cut_from)


_LINE_STATES = {s.value: s for s in LineState}


def _line_from_row(row: tuple) -> LineRecord:
    (partner, po_number, line_number, line_id, sku, state, ack, ordered, unit, unit_price, ack_price, allocated,
     backordered, rejected, promised_date, warehouses, reason, codes, revision, run_id, shipped, invoiced,
     ordered_sku, rejected_fraction, priced_per, unit_eaches, backordered_over, balance_cancelled, expired,
     cut_from) = row
    return LineRecord(
        partner=partner, po_number=po_number, line_number=line_number,
        state=_LINE_STATES.get(state) or LineState(state), line_id=line_id or "", sku=sku or "", ack=ack or "",
        ordered=_dec(ordered), unit=unit or "",
        unit_price=_dec(unit_price), ack_price=_dec(ack_price), allocated=allocated or 0,
        backordered=backordered or 0, rejected=rejected or 0, promised_date=_day(promised_date),
        warehouses=warehouses or "", reason=reason or "", codes=_split(codes), revision=revision or 1,
        run_id=run_id or "", shipped=_dec(shipped) or Decimal(0), invoiced=_dec(invoiced) or Decimal(0),
        ordered_sku=ordered_sku or "", rejected_fraction=_dec(rejected_fraction) or Decimal(0),
        priced_per=_dec(priced_per) or Decimal(1), unit_eaches=unit_eaches or 0,
        backordered_over=_dec(backordered_over) or Decimal(0), balance_cancelled=_dec(balance_cancelled) or Decimal(0),
        expired=_dec(expired) or Decimal(0), cut_from=cut_from)


def history_event(row: dict) -> HistoryEvent:
    """A stored history row as a HistoryEvent (for tools that want the typed form)."""
    return HistoryEvent(row["partner"], row["po_number"], EventKind(row["event"]),
                        OrderState(row["from_state"]) if row["from_state"] else None, OrderState(row["to_state"]),
                        row["at"], Clock(row["clock"]), row["actor"], row["note"] or "", row["revision"] or 1,
                        row["run_id"] or "")
