"""The state store's reconciliation tables (schema version 3): partners' 997/999s for our documents,
the verdict per sent set, the exceptions with their evidence, state history and per-run snapshots;
and the columnar reads the reconciliation is filled from (one query per table, never one per order).
A mixin of connectors.state.StateStore (its SQL, transactions and error edge); decides nothing: the
verdicts, exceptions and states come from engine.partner_acks, engine.reconcile and
engine.exception_states, and engine.finance_inputs shapes the raw tables read here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from schemas.errors import StateError
from schemas.exception_change import StateChange
from schemas.parties import WAREHOUSE_PARTY

if TYPE_CHECKING:
    import pyarrow as pa

# Importing this module (and so the state store) loads no pyarrow: `orderbridge status` stays light
# (tests/test_console.py). The Arrow readers and writers import it when called.


_HANDED: dict[tuple[str, str], pa.Table] = {}  # (store path, run id) -> its lines (hand_on_lines)
CHUNK = 500
PER_DISTINCT = 4096  # a column read of at least this many rows: its text times, dates and decimals parsed per value
EVIDENCE_READ_ALL = 20 * CHUNK  # more exceptions' evidence than this: the whole table read in one query, not by ids
# delivered documents without their content, materialised once for a join (SQLite reads a column kept
# after a large BLOB by walking the BLOB's overflow pages, once per joined row otherwise)
DELIVERED = ("MATERIALIZED (SELECT id, partner, doc_type, isa13, file_name, delivered_at FROM documents"
             " WHERE status = 'delivered')")

# each document's latest delivered resend under new control numbers (`orderbridge resend --new-control-numbers`):
# the envelope the partner now holds and answers for its sets, its numbers, file and time (as resent_numbers gives
# them to sent_sets_of), for the fulfilment lines
RESENT = ("(SELECT document_id, isa13, gs06, file_name, delivered_at FROM resends WHERE id IN (SELECT MAX(id) FROM"
          " resends WHERE status = 'delivered' AND renumbered = 1 GROUP BY document_id))")

ACK_COLUMNS = ("partner", "source_sha256", "file_segment", "ack_type", "ack_ref", "ack_version",
               "acked_functional_id", "acked_gs06", "acked_version", "acked_set_id", "acked_st02",
               "acked_implementation", "set_status", "set_error_codes", "group_status", "group_error_codes",
               "sets_included", "sets_received", "sets_accepted", "errors", "reasons", "ack_created_at", "received_at",
               "source_file", "isa13", "gs06", "st02", "segment_position", "run_id", "acked_isa13",
               "interchange_status", "interchange_note")
STATUS_COLUMNS = ("partner", "isa13", "gs06", "st02", "doc_type", "functional_id", "sent_at", "file", "po_number",
                  "document_ref", "status", "due_at", "ack_type", "set_status", "group_status", "acked_at",
                  "minutes_to_ack", "ack_late", "reasons", "ack_file", "ack_isa13", "ack_gs06", "ack_st02", "as_of",
                  "run_id", "ack_timed_by")
# schemas.reconciliation.EXCEPTIONS / EVIDENCE and schemas.functional_acks.DOCUMENT_STATUS, in order
# (tests/test_finance_store.py holds them equal)
EXCEPTION_FIELDS = ("exception_id", "type", "partner", "po_number", "line_number", "line_id", "sku", "document_ref",
                    "message", "ordered_quantity", "ordered_price", "ack_code", "acknowledged_quantity",
                    "acknowledged_price", "promised_date", "shipped_quantity", "invoiced_quantity", "invoiced_price",
                    "cancelled_at", "document_status", "partner_reasons", "quantity_at_risk", "price_at_risk",
                    "amount_at_risk", "currency", "since", "age_days", "state", "state_by", "state_note", "state_at")
EVIDENCE_FIELDS = ("exception_id", "role", "doc_type", "document_ref", "file", "isa13", "gs06", "st02", "at", "code",
                   "quantity", "unit_price")
STATUS_FIELDS = ("partner", "doc_type", "functional_id", "isa13", "gs06", "st02", "sent_at", "file", "po_number",
                 "document_ref", "status", "due_at", "ack_type", "set_status", "group_status", "acked_at",
                 "minutes_to_ack", "ack_late", "ack_timed_by", "reasons", "errors", "ack_file", "ack_isa13", "ack_gs06",
                 "ack_st02")
# DOCUMENT_STATUS columns kept with the run's report (data/document_status) but not in document_acks: the partner's
# notes (partner_acks holds them). ack_timed_by (what timed the lateness: the partner's clock or our pick-up) is
# stored since schema version ACK_TIMED_BY, so `orderbridge status` says it
NOT_STORED = ("errors",)
STATUS_KEY = ("partner", "isa13", "gs06", "st02")  # document_acks' primary key
# document_acks' columns as record_document_status writes them (text; minutes_to_ack and ack_late integers)
STATUS_ROWS = tuple((c, "int64" if c in ("minutes_to_ack", "ack_late") else "string") for c in STATUS_FIELDS
                    if c not in NOT_STORED)
STATUS_AS_OF, STATUS_RUN = "document_status_as_of", "document_status_run"  # meta: the last run's as_of, run id
EXCEPTION_BOOK = ("active", "first_run", "last_run", "first_found_at", "last_found_at", "cleared_at")
EXCEPTION_COLUMNS = (*EXCEPTION_FIELDS, *EXCEPTION_BOOK)
EVIDENCE_COLUMNS = ("exception_id", "position", *EVIDENCE_FIELDS[1:])
HISTORY_COLUMNS = ("seq", "exception_id", "action", "from_state", "to_state", "actor", "note", "at", "clock", "run_id")
RECONCILIATION_COLUMNS = ("run_id", "as_of", "lines", "exceptions", "unresolved", "amount_at_risk", "new_exceptions",
                          "cleared_exceptions", "documents", "rejected_documents", "overdue_documents")

# the raw tables engine.finance_inputs shapes into the reconciliation's inputs: (column, type) pairs
S, I32, I64, TS, DAY, BIN = "string", "int32", "int64", "timestamp", "date", "binary"
ORDER_ROWS = (("partner", S), ("po_number", S), ("state", S), ("revision", I32), ("order_ref", S), ("lines_key", S),
              ("source_file", S), ("source_sha256", S), ("isa13", S), ("gs06", S), ("st02", S), ("po_date", DAY),
              ("currency", S), ("change_file", S), ("received_at", TS), ("order_type", S))
LINE_ROWS = (("partner", S), ("po_number", S), ("line_number", I32), ("line_id", S), ("sku", S), ("state", S),
             ("ack", S), ("ordered", S), ("unit", S), ("unit_price", S), ("ack_price", S), ("allocated", I64),
             ("backordered", I64), ("rejected", I64), ("promised_date", DAY), ("revision", I32), ("ordered_sku", S))
EVENT_ROWS = (("seq", I64), ("partner", S), ("po_number", S), ("at", TS), ("event", S), ("revision", I32),
              ("note", S))
SENT_ROWS = (("partner", S), ("doc_key", S), ("set_id", S), ("position", I32), ("isa13", S), ("gs06", S),
             ("st02", S), ("po_number", S), ("source_sha256", S), ("answers_isa13", S), ("answers_gs06", S),
             ("file", S), ("document_id", I64), ("sent_at", TS))
DOCUMENT_NUMBERS = ("isa13", "file", "sent_at")  # what SENT_ROWS takes from the set's document
DOCUMENT_ROWS = (("partner", S), ("document_id", I64), ("doc_type", S), ("isa13", S), ("file", S), ("sent_at", TS),
                 ("content", BIN))
# partner_acks read as stored (times, codes and errors as text: partner_acks parses them)
ACK_ROWS = tuple((c, I32 if c in ("file_segment", "sets_included", "sets_received", "sets_accepted",
                                  "segment_position") else S) for c in ACK_COLUMNS)
HISTORY_ROWS = (("seq", I64), *((c, S) for c in HISTORY_COLUMNS[1:]))  # exception_history: text as stored
FINDING_ROWS = (("partner", S), ("code", S), ("severity", S), ("po_number", S), ("file", S), ("stage", S))
# SAC_NOT_APPLIED findings (sacs: their detail, the SACs each names, as schemas.findings.sacs_text writes them)
ALLOWANCE_ROWS = (("partner", S), ("po_number", S), ("message", S), ("file", S), ("our_810s", S), ("sacs", S))
# the shipment findings that held a warehouse's confirmed shipment, one row per order line it carries (its PO and
# line; the line null: every line of that PO, a row naming none or a shipment held before the store kept its lines)
# (engine.reconcile.held_on_lines reads them)
HELD_ROWS = (("partner", S), ("po_number", S), ("code", S), ("message", S), ("shipment_id", S), ("line_number", I32))


def schema(spec) -> pa.Schema:
    """A (column, type) spec as an Arrow schema."""
    import pyarrow as pa

    types = {S: pa.string(), I32: pa.int32(), I64: pa.int64(), TS: pa.timestamp("s"), DAY: pa.date32(),
             BIN: pa.binary()}
    return spec if isinstance(spec, pa.Schema) else pa.schema([(n, types[t]) for n, t in spec])


def _with_resent_numbers(table: pa.Table, resent: list[tuple]) -> pa.Table:
    """SENT_ROWS with the sets of a document sent again under new control numbers (`orderbridge resend
    --new-control-numbers`: StateStore.resent_numbers, the latest of a document's) carrying the resend's ISA13, GS06,
    file and time: one row per set whichever envelope carried it last, so a 997 answering the resend decides the
    set, and the reconciliation counts the document once. ST02s stay the set's own."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not resent or not table.num_rows:
        return table
    latest = {r[1]: r[2:] for r in resent}  # document id -> (isa13, gs06, file, delivered_at), the last one kept
    ids = sorted(latest)
    at = pc.index_in(table["document_id"], value_set=pa.array(ids, pa.int64()))
    if at.null_count == len(at):
        return table
    hit = pc.is_valid(at)
    columns = {"isa13": 0, "gs06": 1, "file": 2, "sent_at": 3}
    arrays = []
    for f in table.schema:
        col = table[f.name]
        if f.name in columns:
            values = pc.cast(pa.array([latest[i][columns[f.name]] for i in ids], pa.string()), f.type)
            col = pc.if_else(hit, pc.take(values, pc.fill_null(at, 0)), col)
        arrays.append(col)
    return pa.Table.from_arrays(arrays, schema=table.schema)


def _table(rows: list[tuple], spec) -> pa.Table:
    """SQL rows as an Arrow table: each column built once, text times, dates and decimals cast in Arrow."""
    import pyarrow as pa
    import pyarrow.compute as pc

    target = schema(spec)
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in target]
    arrays = []
    for values, f in zip(columns, target, strict=True):
        if pa.types.is_timestamp(f.type) or pa.types.is_date(f.type) or pa.types.is_decimal(f.type):
            text = pa.array([v or None for v in values], pa.string())
            if pa.types.is_timestamp(f.type):
                text = pc.utf8_slice_codeunits(text, 0, 19)  # whole seconds, as every run clock is kept
            arrays.append(pc.cast(text, f.type))
        else:
            arrays.append(pa.array(values, f.type))
    return pa.Table.from_arrays(arrays, schema=target)


def _from_arrow(table: pa.Table, spec) -> pa.Table:
    """What _table makes of the same rows, from a query's result read straight into Arrow
    (connectors.arrow_sql): text times, dates and decimals cast in Arrow (empty text as NULL), the
    other columns cast to their type."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from connectors.arrow_sql import typed
    from schemas.grouping import per_distinct
    from schemas.orders import prices_as

    target = schema(spec)
    parsed = [pa.types.is_timestamp(f.type) or pa.types.is_date(f.type) or pa.types.is_decimal(f.type)
              for f in target]
    plain = typed(table, pa.schema([pa.field(f.name, pa.string() if p else f.type) for f, p in
                                    zip(target, parsed, strict=True)]))
    def parse(text: pa.Array, kind: pa.DataType, price: bool = False) -> pa.Array:
        text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
        if pa.types.is_timestamp(kind):
            text = pc.utf8_slice_codeunits(text, 0, 19)  # whole seconds, as every run clock is kept
        if price and pa.types.is_decimal(kind):  # a price finer than its column (prices_as): rounded half up
            return prices_as(text, kind)
        return pc.cast(text, kind)

    arrays = []
    for values, f, p in zip(plain.columns, target, parsed, strict=True):
        price = f.name.endswith("price")
        if p and len(values) >= PER_DISTINCT:  # each distinct text parsed once (a night's quantities, prices
            # and times repeat few values)
            values = per_distinct(values, lambda v, kind=f.type, price=price: parse(v, kind, price))
        elif p:
            values = parse(values, f.type, price)
        arrays.append(values)
    return pa.Table.from_arrays(arrays, schema=target)


def _chunked(chunks: Iterable[list[tuple]], spec) -> pa.Table:
    """_table over a query's rows a chunk at a time (connectors.state StateStore._q_chunks)."""
    import pyarrow as pa

    parts = [_table(rows, spec) for rows in chunks]
    return pa.concat_tables(parts).combine_chunks() if len(parts) > 1 else parts[0] if parts else _table([], spec)


def _text(value) -> str | None:
    """A value as the store keeps it: decimals exact without trailing zeros, times ISO to the second."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return "0" if text == "-0" else text
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _text_array(column, *, as_int: bool = False) -> pa.Array | pa.ChunkedArray:
    """An Arrow column's values as _text gives them, as an Arrow column: built column-wise for text,
    whole-second times, dates and integers (``as_int``: booleans as 0/1); any other type once per distinct
    value."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from schemas.grouping import per_distinct

    kind = column.type
    if as_int and pa.types.is_boolean(kind):
        return pc.cast(column, pa.int64())
    if pa.types.is_timestamp(kind) and kind.tz is None and kind.unit == "s":
        if _four_digit_years(column, kind):  # Arrow's own text of the time ("YYYY-MM-DD hh:mm:ss"), T between
            return pc.utf8_replace_slice(pc.cast(column, pa.string()), 10, 11, "T")
        return pc.strftime(column, format="%Y-%m-%dT%H:%M:%S")
    if pa.types.is_date32(kind):
        if _four_digit_years(column, kind):
            return pc.cast(column, pa.string())
        return pc.strftime(column, format="%Y-%m-%d")
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_integer(kind) \
            or pa.types.is_boolean(kind):
        return column
    # any other type (decimals): _text once per distinct value (a night's amounts repeat few values)
    return per_distinct(column, lambda v: pa.array([_text(x) for x in v.to_pylist()]))


def _evidence_rows(evidence: pa.Table) -> tuple[pa.Table, pa.Array]:
    """EVIDENCE rows as exception_evidence keeps them (EVIDENCE_COLUMNS, the values as _text gives them): each
    row's place among its exception's (1, 2, ... in the order given) as its position; and the rows' order by
    exception id and position (the table's key)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    ev = evidence.select(list(EVIDENCE_FIELDS))
    code = pc.dictionary_encode(ev["exception_id"].combine_chunks()).indices.to_numpy(zero_copy_only=False) \
        if ev.num_rows else np.zeros(0, np.int64)
    order = np.argsort(code, kind="stable")
    first = np.flatnonzero(np.r_[True, code[order][1:] != code[order][:-1]]) if len(code) else order
    position = np.empty(len(code), np.int64)
    position[order] = np.arange(len(code)) - np.repeat(first, np.diff(np.r_[first, len(code)])) + 1
    rows = pa.table([ev["exception_id"], pa.array(position, pa.int64()),
                     *(_text_array(ev[c]) for c in EVIDENCE_FIELDS[1:])], names=list(EVIDENCE_COLUMNS))
    return rows, pc.sort_indices(rows, sort_keys=[("exception_id", "ascending"), ("position", "ascending")])


def _row_text(table: pa.Table, columns: Sequence[str]) -> pa.Array:
    """One text per row of ``columns`` (any type, as text), unambiguous whatever they hold: each value led
    by its length, a null as "-"."""
    import pyarrow as pa
    import pyarrow.compute as pc

    parts = []
    for c in columns:
        text = pc.cast(table[c], pa.string())
        parts.append(pc.coalesce(pc.binary_join_element_wise(pc.cast(pc.utf8_length(text), pa.string()), text, ":"),
                                 pa.scalar("-")))
    if not parts:
        return pa.array([""] * table.num_rows, pa.string())
    out = pc.binary_join_element_wise(*parts, "|")
    return out.combine_chunks() if isinstance(out, pa.ChunkedArray) else out


def _four_digit_years(column, kind) -> bool:
    """Whether every time or day of ``column`` falls in the years 1000-9999 (where Arrow's text of it
    is the ISO text), or it holds none."""
    import datetime as dt

    import pyarrow as pa
    import pyarrow.compute as pc

    span = pc.min_max(column)
    low, high = span["min"].as_py(), span["max"].as_py()
    if low is None:
        return True
    first = dt.datetime(1000, 1, 1) if pa.types.is_timestamp(kind) else dt.date(1000, 1, 1)
    return low >= first and high.year <= 9999


def _line_spec(cols: Sequence[str], keys: Sequence[str]) -> pa.Schema:
    """The Arrow schema of RECORDED_LINES columns read by name (``keys``, and a column not of RECORDED_LINES: text)."""
    import pyarrow as pa

    from schemas.reconciliation import RECORDED_LINES

    return pa.schema([(c, pa.string() if c in keys or c not in RECORDED_LINES.names else RECORDED_LINES.field(c).type)
                      for c in cols])


def _store_billed(invoiced: pa.Table) -> pa.Table:
    """Our 810s' lines (with their ``doc_key``) with the store an 810 of a partner billed per store bills put with
    its shipment ("S1 store 004"; engine.lifecycle.billing InvoiceDue.doc_key): each store's 810 bills its own units
    of the shipment, never a (line, shipment) billed twice (engine.line_match's duplicates)."""
    import pyarrow.compute as pc

    if not invoiced.num_rows:
        return invoiced
    store = pc.struct_field(pc.extract_regex(invoiced["doc_key"], r":store:(?P<store>.*)$"), [0])
    if store.null_count == invoiced.num_rows:
        return invoiced
    at = invoiced.schema.get_field_index("shipment_id")
    ship = invoiced["shipment_id"]
    return invoiced.set_column(at, invoiced.schema.field(at), pc.if_else(
        pc.is_valid(store), pc.binary_join_element_wise(pc.fill_null(ship, ""), store, " store "), ship))


def _amount_schema() -> pa.Schema:  # built when asked: importing this module loads no pyarrow
    """invoice_amounts' columns."""
    import pyarrow as pa

    from schemas.orders import MONEY

    return pa.schema([("partner", pa.string()), ("invoice_number", pa.string()), ("line_number", pa.int64()),
                      ("amount", MONEY)])


def _written(key: str) -> list[str]:
    """The ways a control number engine.partner_acks.control_key reads as ``key`` may be written: a numeric one with
    any leading zeros up to 18 digits (GS06 is at most 9; a partner's translator may pad more), another as it is."""
    if key.isdigit():
        core = key.lstrip("0") or "0"
        return [core.rjust(n, "0") for n in range(len(core), max(len(core), 18) + 1)]
    return [key]

class FinanceTables:
    """Reconciliation reads and writes of the state store (mixed into connectors.state.StateStore)."""

    # provided by StateStore
    def _q(self, sql: str, args: Sequence = ()) -> list[tuple]: ...  # pragma: no cover
    def _q_chunks(self, sql: str, args: Sequence = ()) -> Iterable[list[tuple]]: ...  # pragma: no cover
    def _many(self, sql: str, rows: Iterable[Sequence]) -> int: ...  # pragma: no cover
    def _arrow_rows(self, sql: str, args: Sequence = ()) -> pa.Table | None: ...  # pragma: no cover
    def _arrow_reader(self): ...  # pragma: no cover
    def _lines_version(self) -> tuple[int, int] | None: ...  # pragma: no cover
    def _insert_rows(self, name: str, columns: Sequence[str], table: pa.Table, *,
                     conflict: str = "") -> None: ...  # pragma: no cover
    def _next_ids(self, name: str, count: int) -> list[int]: ...  # pragma: no cover
    def transaction(self): ...  # pragma: no cover

    def _read(self, sql: str, spec, args: Sequence = ()) -> pa.Table:
        """A bulk read as an Arrow table of ``spec``: straight from SQLite where the store can
        (StateStore._arrow_rows), on PostgreSQL through COPY (StateStore._copy_arrow) where every column
        is text or an integer as stored (times, dates and decimals are kept as text), else its rows a
        chunk at a time through the store's connection; the same table either way. (s57, pgcost: the
        reconciliation's 200,000 lines, rows 0.61-0.64 s CPU in the night's process, COPY 0.15-0.18.)"""
        direct = self._arrow_rows(sql, args)
        if direct is None and self.dialect.name != "sqlite":
            direct = self._copied(sql, spec, args)
        return _from_arrow(direct, spec) if direct is not None else _chunked(self._q_chunks(sql, args), spec)

    def _copied(self, sql: str, spec, args: Sequence) -> pa.Table | None:
        """PostgreSQL: the read through COPY as stored (text for what _from_arrow parses), or None
        when a column is of another type (bytes, a float, a boolean: read as rows)."""
        import pyarrow as pa

        stored = []
        for f in schema(spec):
            parsed = pa.types.is_timestamp(f.type) or pa.types.is_date(f.type) or pa.types.is_decimal(f.type)
            if not (parsed or pa.types.is_string(f.type) or pa.types.is_integer(f.type)):
                return None
            stored.append(pa.field(f.name, pa.string() if parsed else f.type))
        return self._copy_arrow(sql, args, pa.schema(stored))

    # --- partners' 997/999s for our documents ---------------------------------------------------
    def record_partner_acks(self, acks: pa.Table, *, run_id: str) -> int:
        """FUNCTIONAL_ACKS rows of one received file (parsers.functional_acks: its 997/999s and TA1s); a
        file read again (same content) adds nothing."""
        rows = []
        for r in acks.to_pylist():
            rows.append((r["partner"], r["source_sha256"] or "", r["file_segment"], r["ack_type"], r["ack_ref"],
                         r["ack_version"], r["acked_functional_id"], r["acked_gs06"], r["acked_version"],
                         r["acked_set_id"], r["acked_st02"], r["acked_implementation"], r["set_status"],
                         ",".join(r["set_error_codes"] or []), r["group_status"],
                         ",".join(r["group_error_codes"] or []),
                         r["sets_included"], r["sets_received"], r["sets_accepted"],
                         json.dumps(r["errors"] or [], sort_keys=True), r["reasons"], _text(r["ack_created_at"]),
                         _text(r["received_at"]), r["source_file"], r["isa13"], r["gs06"], r["st02"],
                         r["segment_position"], run_id, r["acked_isa13"], r["interchange_status"],
                         r["interchange_note"]))
        if not rows:
            return 0
        with self.transaction():
            return self._many(f"INSERT INTO partner_acks ({', '.join(ACK_COLUMNS)}) VALUES"
                              f" ({','.join('?' * len(ACK_COLUMNS))}) ON CONFLICT (partner, source_sha256,"
                              " file_segment) DO NOTHING", rows)

    def interchange_acks(self, partner: str, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], list[dict]]:
        """(sender, ISA13) -> the acknowledgment rows (engine.process.ACK_CONTENT's columns, as stored) its latest
        use brought (the file interchanges_in points at), for those of ``keys`` that brought any: intake's
        look-up for an interchange of acknowledgments sent again under its number (engine.process.ack_content)."""
        from schemas.functional_acks import ACK_CONTENT

        keys = list(dict.fromkeys(keys))
        out: dict[tuple[str, str], list[dict]] = {}
        sql = (f"SELECT i.sender, i.isa13, {', '.join('a.' + c for c in ACK_CONTENT)} FROM interchanges_in i"
               " JOIN partner_acks a ON a.partner = i.partner AND a.source_sha256 = i.sha256 AND a.isa13 = i.isa13"
               " WHERE i.partner=? AND i.sender=? AND i.isa13")
        by_sender: dict[str, list[str]] = {}
        for sender, isa13 in keys:
            by_sender.setdefault(sender, []).append(isa13)
        for sender, numbers in by_sender.items():
            for within, chunk in self._within(numbers):
                for r in self._q(f"{sql}{within}", (partner, sender, *chunk)):
                    out.setdefault((r[0], r[1]), []).append(dict(zip(ACK_CONTENT, r[2:], strict=True)))
        return out

    def partner_acks(self, partner: str | None = None, *,
                     groups: Iterable[tuple[str, str]] | None = None) -> pa.Table:
        """Every stored acknowledgment row (FUNCTIONAL_ACKS), in arrival order. Read into Arrow column-wise;
        the AK5/AK9 codes and the AK3/AK4 errors (JSON) parsed once per distinct text: most sets are
        accepted without a note (a stored "[]"), so a history's 997s cost one parse, not one per AK2.
        ``groups`` (with ``partner``): only the rows answering those groups, (functional id, GS06 as
        engine.partner_acks.control_key writes it: a numeric GS06 however many zeros it was written with), and
        the partner's rows naming no group (its TA1s): what one received file's answers can bear on, read by
        the index partner_acks_acked, not the partner's whole history (engine.partner_acks.answered_here)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        from schemas.functional_acks import ACK_ERROR, FUNCTIONAL_ACKS
        from schemas.grouping import per_distinct

        sql = f"SELECT {', '.join(ACK_COLUMNS)} FROM partner_acks"
        order = " ORDER BY received_at, source_sha256, file_segment"
        if groups is not None and partner:
            by_id: dict[str, set[str]] = {}
            for fid, gs06 in groups:
                if fid is not None and gs06 is not None:
                    by_id.setdefault(fid, set()).update(_written(gs06))
            parts, args = [f"{sql} WHERE partner=? AND acked_functional_id IS NULL"], [partner]
            for fid, written in sorted(by_id.items()):
                for i in range(0, len(written), 500):
                    chunk = sorted(written)[i:i + 500]
                    parts.append(f"{sql} WHERE partner=? AND acked_functional_id=? AND acked_gs06 IN"
                                 f" ({','.join('?' * len(chunk))})")
                    args += [partner, fid, *chunk]
            t = self._read(f"SELECT * FROM ({' UNION ALL '.join(parts)}) AS named{order}", ACK_ROWS, args)
        else:
            t = self._read(sql + (" WHERE partner=?" if partner else "") + order, ACK_ROWS,
                           (partner,) if partner else ())

        def times(name: str) -> pa.Array:  # empty text: no time
            text = t[name]
            return pc.cast(pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text), pa.timestamp("s"))

        def codes(name: str) -> pa.Array:
            return per_distinct(pc.fill_null(t[name], ""), lambda v: pa.array(
                [[c for c in text.split(",") if c] for text in v.to_pylist()], pa.list_(pa.string())))

        def errors(texts: pa.Array) -> pa.Array:
            return pa.array([[{k: e.get(k) for k in ACK_ERROR.names} for e in json.loads(text or "[]")]
                             for text in texts.to_pylist()], pa.list_(ACK_ERROR))

        data = {"set_error_codes": codes("set_error_codes"), "group_error_codes": codes("group_error_codes"),
                "errors": per_distinct(pc.fill_null(t["errors"], "[]"), errors),
                "ack_created_at": times("ack_created_at"), "received_at": times("received_at")}
        return pa.Table.from_arrays([data[f.name] if f.name in data else t[f.name] for f in FUNCTIONAL_ACKS],
                                    schema=FUNCTIONAL_ACKS).combine_chunks()

    def record_sent_lines(self, lines: pa.Table, *, by: str, note: str, at: datetime) -> int:
        """RECORDED_LINES of one file (parsers.sent_documents) kept, with who recorded them, when and
        why; the same file recorded again adds nothing. Returns the lines added."""
        from schemas.reconciliation import RECORDED_LINES

        cols = [*RECORDED_LINES.names, "recorded_at", "recorded_by", "note"]
        rows = [(*(_text(r[c]) for c in RECORDED_LINES.names), _text(at), by, note or None)
                for r in lines.select(RECORDED_LINES.names).to_pylist()]
        if not rows:
            return 0
        with self.transaction():
            return self._many(f"INSERT INTO recorded_lines ({', '.join(cols)}) VALUES ({','.join('?' * len(cols))})"
                              " ON CONFLICT (partner, sha256, position) DO NOTHING", rows)

    def forget_sent_lines(self, partner: str, doc_type: str, refs: Iterable[str]) -> int:
        """The recorded lines of the partner's ``doc_type`` documents (856, 810) named by ``refs`` (shipment ids,
        invoice numbers) removed: `state rebuild` recorded them for the reconciliation and then made those
        shipments or invoices again as the store's own records, which the reconciliation reads instead (kept, they
        would count twice). The lines removed."""
        refs = sorted(set(refs))
        if not refs:
            return 0
        with self.transaction():
            return self._many("DELETE FROM recorded_lines WHERE partner=? AND doc_type=? AND document_ref=?",
                              [(partner, doc_type, ref) for ref in refs])

    def recorded_lines(self) -> pa.Table:
        """Every recorded 810/856 line (RECORDED_LINES), in the order they were recorded."""
        from schemas.reconciliation import RECORDED_LINES

        return self._read(f"SELECT {', '.join(RECORDED_LINES.names)} FROM recorded_lines ORDER BY recorded_at,"
                          " partner, sha256, position", RECORDED_LINES)

    def recorded_lines_of(self, partner: str) -> pa.Table:
        """The recorded 810/856 lines (RECORDED_LINES) of one partner, in the order they were recorded."""
        from schemas.reconciliation import RECORDED_LINES

        return self._read(f"SELECT {', '.join(RECORDED_LINES.names)} FROM recorded_lines WHERE partner = ?"
                          " ORDER BY recorded_at, sha256, position", RECORDED_LINES, (partner,))

    def recorded_for_order(self, partner: str, po_number: str) -> list[dict]:
        """The 810s and 856s another system of ours sent for this order (`orderbridge record`), one dict per
        set recorded (file, ISA13/GS06/ST02, BIG02 invoice number or BSN02 shipment id), in the order recorded:
        type, document_ref, doc_date, shipment_id, lines, quantity (their units added up), file, isa13, gs06,
        st02, sent_at, recorded_at, recorded_by, note."""
        rows = self._q("SELECT doc_type, document_ref, doc_date, shipment_id, quantity, file, isa13, gs06, st02,"
                       " sent_at, recorded_at, recorded_by, note, sha256 FROM recorded_lines WHERE partner = ? AND"
                       " po_number = ? ORDER BY recorded_at, sent_at, sha256, position", (partner, po_number))
        out: dict[tuple, dict] = {}
        for (doc_type, ref, day, shipment, qty, file, isa13, gs06, st02, sent_at, at, by, note, sha) in rows:
            d = out.setdefault((sha, doc_type, ref, isa13, gs06, st02), {
                "type": doc_type, "document_ref": ref, "doc_date": _text(day), "shipment_id": shipment or "",
                "lines": 0, "quantity": Decimal(0), "file": file, "isa13": isa13 or "", "gs06": gs06 or "",
                "st02": st02 or "", "sent_at": _text(sent_at), "recorded_at": _text(at), "recorded_by": by,
                "note": note or ""})
            d["lines"] += 1
            try:
                d["quantity"] += Decimal(str(qty)) if qty not in (None, "") else 0
            except ArithmeticError:
                pass
        return [{**d, "quantity": f"{d['quantity'].normalize():f}"} for d in out.values()]

    def fulfilment_lines(self) -> pa.Table:
        """Our own shipments and invoices as RECORDED_LINES (what the flow shipped and billed, tables
        shipments / shipment_lines and invoices / invoice_lines), beside what other systems of ours sent
        (recorded_lines): every shipment line (its 856's delivery time as sent_at, None while unsent or
        for a partner that receives no 856) and the lines of every delivered 810. The line id is the
        PO101 the documents echo, else the line number (engine.finance_inputs matches lines so)."""
        return self._fulfilment(amounts=False)[0]

    def fulfilment_and_amounts(self) -> tuple[pa.Table, pa.Table]:
        """(fulfilment_lines(), invoice_amounts()) with the invoice lines read once for both (the
        reconciliation reads the two: a night's 100,000 invoice lines read twice cost ~0.1 s)."""
        return self._fulfilment(amounts=True)  # type: ignore[return-value]

    def first_sendings(self) -> pa.Table:
        """(partner, isa13, gs06, file, first_sent_at) per document sent again under new control numbers (a
        delivered renumbered resend, `orderbridge resend --new-control-numbers`): the resend's numbers and file,
        which our shipped and invoiced lines carry (fulfilment_lines), and when the document first went (its
        ``documents`` row's delivery time, kept as the first sending). The ASN SLA times an 856 by its first sending
        (engine.finance_inputs.shipped's asn_sent_at): what we did, not when ops sent a copy again."""
        import pyarrow as pa

        from schemas.reconciliation import TIME

        spec = pa.schema([("partner", pa.string()), ("isa13", pa.string()), ("gs06", pa.string()),
                          ("file", pa.string()), ("first_sent_at", TIME)])
        if "resends" not in self._table_names():
            return spec.empty_table()
        return self._read("SELECT d.partner, r.isa13, r.gs06, r.file_name, d.delivered_at FROM resends r"
                          " JOIN documents d ON d.id = r.document_id WHERE r.status = 'delivered'"
                          " AND r.renumbered = 1 AND d.status = 'delivered' ORDER BY r.id", spec)

    def _fulfilment(self, *, amounts: bool) -> tuple[pa.Table, pa.Table | None]:
        import pyarrow as pa

        from schemas.reconciliation import RECORDED_LINES

        # each document's facts read once per shipment / invoice, each line's own few per line, the two
        # put together in Arrow (one row of 19 values per line cost a night's reconcile seconds)
        echo = "CASE WHEN COALESCE(l.line_id, '') = '' THEN CAST(l.line_number AS TEXT) ELSE l.line_id END"
        # a set's ISA13, GS06, file and time are one envelope's, its latest: a renumbered resend's when it went
        # again, as sent_sets_of gives them (the rule: docs/state-store.md, resends). The shipments an 810 billed are
        # found under the numbers a 997 answered (engine.reconcile's superseded check); the file and time used to
        # stay the first sending's beside the resend's numbers (a row naming a file that holds other numbers)
        resent = f" LEFT JOIN {RESENT} rs ON rs.document_id = d.id" if "resends" in self._table_names() else ""
        isa13, gs06, sent_at, file = ("COALESCE(rs.isa13, d.isa13)", "COALESCE(rs.gs06, ds.gs06)",
                                      "COALESCE(rs.delivered_at, d.delivered_at)",
                                      "COALESCE(rs.file_name, d.file_name, '')") if resent else (
            "d.isa13", "ds.gs06", "d.delivered_at", "COALESCE(d.file_name, '')")
        shipped = self._lines_of_heads(
            ("warehouse", "shipment_id", "partner", "doc_date", "shipped_at", "sent_at", "file", "sha256", "isa13",
             "gs06", "st02"),
            f"WITH d AS {DELIVERED} SELECT s.warehouse, s.shipment_id, s.partner, s.ship_date, s.departed_at,"
            f" {sent_at}, {file}, s.source_sha256, {isa13}, {gs06}, ds.st02 FROM shipments s"
            " LEFT JOIN document_sets ds ON ds.partner = s.partner AND ds.doc_key = s.asn_doc_key"
            f" LEFT JOIN d ON d.id = ds.document_id{resent}"
            " ORDER BY s.partner, s.departed_at, s.warehouse, s.shipment_id",
            ("warehouse", "shipment_id", "po_number", "line_id", "quantity", "unit", "position"),
            f"SELECT l.warehouse, l.shipment_id, l.po_number, {echo}, l.quantity, l.unit, l.position"
            " FROM shipment_lines l ORDER BY l.warehouse, l.shipment_id, l.position",
            keys=("warehouse", "shipment_id"))
        # invoice_amounts' rows are the same invoice lines in the same order (invoice number, line number):
        # read with their amount here when asked, the amount column dropped for the 810s' lines
        line_cols = ("invoice_number", "line_id", "quantity", "unit", "unit_price", "position")
        line_sql = (f"SELECT l.invoice_number, {echo}, l.quantity, l.unit, l.unit_price, l.line_number"
                    f"{', l.amount' if amounts else ''} FROM invoice_lines l ORDER BY l.invoice_number, l.line_number")
        invoice_lines = self._read(line_sql, _line_spec((*line_cols, *(("amount",) if amounts else ())),
                                                        ("invoice_number",)))
        invoiced = self._lines_of_heads(
            ("invoice_number", "partner", "doc_date", "shipment_id", "po_number", "sent_at", "file", "isa13", "gs06",
             "st02", "doc_key"),
            f"WITH d AS {DELIVERED} SELECT v.invoice_number, v.partner, v.invoice_date, v.shipment_id, v.po_number,"
            f" {sent_at}, {file}, {isa13}, {gs06}, ds.st02, v.doc_key FROM invoices v"
            " JOIN document_sets ds ON ds.partner = v.partner AND ds.doc_key = v.doc_key"
            f" JOIN d ON d.id = ds.document_id{resent} ORDER BY v.partner, v.invoice_number",
            line_cols, invoice_lines.select(list(line_cols)), keys=("invoice_number",))

        def recorded(t: pa.Table, doc_type: str, ref: str) -> pa.Table:
            n = t.num_rows
            cols = {"doc_type": pa.repeat(pa.scalar(doc_type, pa.string()), n), "document_ref": t[ref]}
            return pa.Table.from_arrays([cols[f.name] if f.name in cols else t[f.name] if f.name in t.column_names
                                         else pa.nulls(n, f.type) for f in RECORDED_LINES], schema=RECORDED_LINES)

        lines = pa.concat_tables([recorded(shipped, "856", "shipment_id"),  # each side in its chunk: no copy
                                  recorded(_store_billed(invoiced), "810", "invoice_number")])
        return lines, self._amounts_of(invoice_lines) if amounts else None

    def _amounts_of(self, invoice_lines: pa.Table) -> pa.Table:
        """invoice_amounts' table from the invoice lines read with their amount (invoice_number, ...,
        position: the line number, amount; in invoice_amounts' order): the lines of an invoice on record,
        with its partner."""
        import pyarrow as pa
        import pyarrow.compute as pc

        heads = self._read("SELECT invoice_number, partner FROM invoices",
                           pa.schema([("invoice_number", pa.string()), ("partner", pa.string())]))
        at = pc.index_in(invoice_lines["invoice_number"], value_set=heads["invoice_number"])  # a primary key
        if at.null_count:  # a line of no invoice: not one of invoice_amounts' (its join's)
            keep = pc.is_valid(at)
            invoice_lines, at = invoice_lines.filter(keep), at.filter(keep)
        amounts = pa.table({"partner": heads["partner"].take(at), "invoice_number": invoice_lines["invoice_number"],
                            "line_number": invoice_lines["position"].cast(pa.int64()),
                            "amount": invoice_lines["amount"]}, schema=_amount_schema())
        return amounts.combine_chunks()

    def invoice_amounts(self) -> pa.Table:
        """(partner, invoice_number, line_number, amount) of every line of our invoices: the value each line
        billed (a catch-weight line: its net weight shipped x its price per pound, not its cases x that price),
        for engine.finance_inputs.with_amounts."""
        return self._read("SELECT v.partner, l.invoice_number, l.line_number, l.amount FROM invoice_lines l"
                          " JOIN invoices v ON v.invoice_number = l.invoice_number ORDER BY l.invoice_number,"
                          " l.line_number", _amount_schema())

    def _lines_of_heads(self, head_cols: Sequence[str], head_sql: str, line_cols: Sequence[str],
                        line_sql: str | pa.Table, *, keys: Sequence[str]) -> pa.Table:
        """The inner join of a query's head rows (one per ``keys``, in the head query's order) with its
        line rows (each head's lines in the line query's order; ``line_sql`` a table: those rows, read
        already), made in Arrow: the head's columns, then the line's (RECORDED_LINES types by name; the
        keys text)."""
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        heads = self._read(head_sql, _line_spec(head_cols, keys))
        lines = self._read(line_sql, _line_spec(line_cols, keys)) if isinstance(line_sql, str) else line_sql

        def key(t: pa.Table) -> pa.Array:  # unambiguous whatever the text holds: the first key's length leads
            first = t[keys[0]]
            out = first if len(keys) == 1 else pc.binary_join_element_wise(
                pc.cast(pc.utf8_length(first), pa.string()), first, *(t[k] for k in keys[1:]), ":")
            return out.combine_chunks() if isinstance(out, pa.ChunkedArray) else out

        head_of = pc.index_in(key(lines), value_set=key(heads)).to_numpy(zero_copy_only=False)
        found = ~np.isnan(head_of) if head_of.dtype.kind == "f" else np.ones(len(head_of), bool)
        rows = np.flatnonzero(found)
        order = rows[np.argsort(head_of[found].astype(np.int64), kind="stable")]  # heads' order, lines' within
        at = pa.array(head_of[order].astype(np.int64), pa.int64())
        mine = lines.drop_columns(list(keys))
        if not np.array_equal(order, np.arange(lines.num_rows)):  # the lines stand in their heads' order: no copy
            mine = mine.take(pa.array(order, pa.int64()))
        theirs = heads.take(at)
        return pa.Table.from_arrays([*theirs.columns, *mine.columns], names=[*theirs.column_names, *mine.column_names])

    def fulfilment_refs(self, keys: Iterable[tuple[str, str]] | None = None, *,
                        partner: str | None = None) -> pa.Table:
        """(partner, doc_key, document_ref, bill_of_lading) of our 856 and 810 sets: the shipment id, the invoice
        number; an 856's bill of lading (its REF BM: the BOL, else the tracking number an ASN may carry as one),
        the reference a partner's 824 may quote it by (OTI02 BM). ``keys``: only those (partner, doc_key) sets'
        (the sets in hand: a received file's acknowledgments name a few of them), looked up by the indexes
        shipments_asn and invoices_doc_key, not every shipment and invoice the store ever kept; ``partner`` (without
        ``keys``): that partner's (by the same indexes' partner), for a reader of every set sent to it (a key at a
        time costs 4-5x a read of them all)."""
        import pyarrow as pa

        names = ("partner", "doc_key", "document_ref", "bill_of_lading")
        shipped = ("SELECT partner, asn_doc_key, shipment_id, COALESCE(NULLIF(bill_of_lading, ''),"
                   " NULLIF(tracking_number, '')) FROM shipments")
        billed = "SELECT partner, doc_key, invoice_number, NULL FROM invoices"
        if keys is None:
            of, args = ("partner=? AND ", (partner, partner)) if partner else ("", ())
            rows = self._q(f"{shipped} WHERE {of}COALESCE(asn_doc_key, '') <> '' UNION ALL {billed}"
                           f"{' WHERE partner=?' if partner else ''} ORDER BY 1, 2", args)
        else:
            by_partner: dict[str, set[str]] = {}
            for partner, doc_key in keys:
                if partner is not None and doc_key:
                    by_partner.setdefault(partner, set()).add(doc_key)
            rows = []
            for partner, wanted in sorted(by_partner.items()):
                for within, chunk in self._within(sorted(wanted)):
                    rows += self._q(f"{shipped} WHERE partner=? AND asn_doc_key{within}", (partner, *chunk))
                    rows += self._q(f"{billed} WHERE partner=? AND doc_key{within}", (partner, *chunk))
            rows.sort(key=lambda r: (r[0], r[1]))
        return pa.table({n: pa.array([r[i] for r in rows], pa.string()) for i, n in enumerate(names)})

    def record_document_status(self, status: pa.Table, *, as_of: datetime, run_id: str) -> None:
        """The verdict on every set we sent, as of ``as_of`` (engine.partner_acks.match_acks), replacing
        the previous run's. Only what changed is written (a set new or its verdict other than stored:
        upserted; a set no longer among them: deleted; when most changed, all written again); an
        unchanged verdict's row keeps the as_of and run_id of the run that wrote it, and the readers give
        every verdict this run's (meta STATUS_AS_OF): a history's every verdict deleted and inserted again
        each night cost its seconds."""
        import pyarrow as pa
        import pyarrow.compute as pc

        cols = [c for c in STATUS_FIELDS if c not in NOT_STORED]
        new = pa.table([_text_array(status[c], as_int=c == "ack_late") for c in cols], names=cols)
        stored = self._read(f"SELECT {', '.join(cols)} FROM document_acks", STATUS_ROWS)
        new_keys, stored_keys = _row_text(new, STATUS_KEY), _row_text(stored, STATUS_KEY)
        at = pc.index_in(new_keys, value_set=stored_keys)  # each set's stored row (a key once: the primary key)
        same = pc.is_valid(at)
        if stored.num_rows and pc.any(same).as_py():
            theirs = stored.take(pc.fill_null(at, 0))
            for c in cols:  # equal, or both null
                a, b = new[c], theirs[c]
                same = pc.and_(same, pc.fill_null(pc.equal(a, b), pc.and_(pc.is_null(a), pc.is_null(b))))
        changed = pc.invert(same)
        whole = pc.sum(changed).as_py() or 0
        rows = new.filter(changed) if 2 * whole <= new.num_rows else new  # most changed: all written again
        gone = pc.invert(pc.is_in(stored_keys, value_set=new_keys))  # sets no longer among the verdicts
        n = rows.num_rows
        rows = pa.table([*rows.columns, pa.repeat(pa.scalar(_text(as_of), pa.string()), n),
                         pa.repeat(pa.scalar(run_id, pa.string()), n)], names=[*cols, "as_of", "run_id"])
        keys = [tuple(k.values()) for k in stored.select(list(STATUS_KEY)).filter(gone).to_pylist()]
        with self.transaction():
            if rows.num_rows == new.num_rows:
                self._q("DELETE FROM document_acks")
                # many rows per statement, the run's constant columns (as_of, run_id, every NULL) as literals
                self._insert_rows("document_acks", rows.column_names, rows)
            else:
                if keys:
                    self._many("DELETE FROM document_acks WHERE partner=? AND isa13=? AND gs06=? AND st02=?", keys)
                others = [c for c in rows.column_names if c not in STATUS_KEY]
                self._insert_rows("document_acks", rows.column_names, rows, conflict=(
                    f" ON CONFLICT ({', '.join(STATUS_KEY)}) DO UPDATE SET "
                    + ", ".join(f"{c} = excluded.{c}" for c in others)))
            self._many("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET"
                       " value = excluded.value", [(STATUS_AS_OF, _text(as_of)), (STATUS_RUN, run_id)])

    def _status_rows(self, sql: str, args: Sequence = ()) -> list[dict]:
        """document_acks rows (STATUS_COLUMNS) as dicts, each as of the last run that recorded them."""
        last = dict(self._q("SELECT key, value FROM meta WHERE key IN (?, ?)", (STATUS_AS_OF, STATUS_RUN)))
        out = [dict(zip(STATUS_COLUMNS, r, strict=True)) for r in self._q(sql, args)]
        if STATUS_AS_OF in last:  # a store whose verdicts were all written at once has none
            for d in out:
                d["as_of"], d["run_id"] = last[STATUS_AS_OF], last.get(STATUS_RUN)
        return out

    def document_status(self, partner: str | None = None) -> list[dict]:
        """The stored verdicts (as of the last reconciliation), oldest sent first."""
        sql = f"SELECT {', '.join(STATUS_COLUMNS)} FROM document_acks"
        return self._status_rows(sql + (" WHERE partner=?" if partner else "") + " ORDER BY partner, sent_at,"
                                 " isa13, gs06, st02", (partner,) if partner else ())

    def document_status_for(self, partner: str, numbers: Iterable[tuple[str, str, str]]) -> dict[tuple, dict]:
        """Verdicts of some of a partner's sets by (ISA13, GS06, ST02)."""
        wanted = set(numbers)
        if not wanted:
            return {}
        rows = self._status_rows(f"SELECT {', '.join(STATUS_COLUMNS)} FROM document_acks WHERE partner=? AND isa13"
                                 f" IN ({','.join('?' * len({n[0] for n in wanted}))})",
                                 (partner, *sorted({n[0] for n in wanted})))
        out = {}
        for d in rows:
            key = (d["isa13"], d["gs06"], d["st02"])
            if key in wanted:
                out[key] = d
        return out

    # --- the reconciliation's raw inputs (one query per table) ----------------------------------
    def grocery_revisions(self) -> pa.Table:
        """(partner, po_number, revision, set_id, change_file) of each order revision a grocer's set made: revision 1
        of an order that came in a GS OG group (an 875; change_file null), and each revision an applied change from
        a file with an OG group made (an 876; change_file the file it came in); the reconciliation names the ordered
        side by them (engine.finance_inputs.ordered: its set, and both files of a line an 876 changed). Empty for a
        store with no OG group."""
        import pyarrow as pa

        schema = pa.schema([("partner", pa.string()), ("po_number", pa.string()), ("revision", pa.int32()),
                            ("set_id", pa.string()), ("change_file", pa.string())])
        if not self._q("SELECT 1 FROM groups_in WHERE gs01 = 'OG' LIMIT 1"):
            return schema.empty_table()
        orders = self._q("SELECT DISTINCT o.partner, o.po_number FROM orders o JOIN groups_in g ON g.partner ="
                         " o.partner AND g.sha256 = o.source_sha256 AND g.gs06 = o.gs06 WHERE g.gs01 = 'OG'")
        changes = self._q("SELECT DISTINCT c.partner, c.po_number, c.revision, c.source_file FROM pending_changes c"
                          " JOIN groups_in g ON g.partner = c.partner AND g.sha256 = c.store_key WHERE g.gs01 = 'OG'"
                          " AND c.revision > 1")
        rows = [(p, po, 1, "875", None) for p, po in orders] + [(p, po, rev, "876", f) for p, po, rev, f in changes]
        return pa.table([pa.array([r[k] for r in rows], f.type) for k, f in enumerate(schema)], schema=schema)

    def finance_orders(self) -> pa.Table:
        cols = ("partner", "po_number", "state", "revision", "order_ref", "lines_key", "source_file", "source_sha256",
                "isa13", "gs06", "st02", "po_date", "currency", "change_file", "received_at", "order_type")
        return self._read(f"SELECT {', '.join(cols)} FROM orders ORDER BY partner, po_number", ORDER_ROWS)

    def finance_lines(self, columns: Iterable[str] | None = None, *, keep: bool = False) -> pa.Table:
        """LINE_ROWS of every order line (only ``columns`` of them, in LINE_ROWS' order, when given). ``keep``
        (the night's reconciliation, SQLite): every column of the lines the run's report writes
        (connectors.state.LINE_COLUMNS) read in the same query and kept with the store's version then, for
        hand_on_lines (one read of the night's 200,000 lines x 23 columns, ~0.8 s CPU, instead of 0.43 here
        and 0.77 again in the reports' lines_of_runs)."""
        # (s52: the same read without ORDER BY, a scan of the table instead of its primary key's index, cost the
        # same on a night's 200,000 lines, 0.43-0.49 s CPU: the lines stand in key order in the table already)
        wanted = set(columns) if columns is not None else None
        spec = [(n, t) for n, t in LINE_ROWS if wanted is None or n in wanted]
        cols = ", ".join(n for n, _ in spec)
        order = " FROM order_lines ORDER BY partner, po_number, line_number"
        self._kept_lines = None
        if keep:
            _HANDED.clear()  # what an earlier night of this process handed on and its report did not take
        reader = self._arrow_reader() if keep else None
        if reader is not None:
            from connectors.state import LINE_COLUMNS

            with self._lock:
                reader.open()  # (opening it moves data_version once: before the version is taken)
            version = self._lines_version()
            direct = self._lines_kept_whole()  # the night's: every line its stages kept, none read (else None)
            if direct is None:
                direct = self._arrow_rows(f"SELECT {', '.join(LINE_COLUMNS)}{order}")
            if direct is not None:
                if version == self._lines_version():  # nobody wrote meanwhile: the rows are what was committed
                    self._kept_lines = (version, direct)
                return _from_arrow(direct.select([n for n, _ in spec]), spec)
        return self._read(f"SELECT {cols}{order}", spec)

    _kept_lines: tuple | None = None  # finance_lines(keep=True)'s (version, every line as read straight into Arrow)

    def _lines_kept_whole(self) -> pa.Table | None:
        """Every stored order line as the driver reads them for finance_lines(keep=True) (LINE_COLUMNS by key; int64
        and text columns, a column of NULLs alone typed int64 as the driver types it), taken from the lines the
        night's stages kept in this process (connectors.store_versions: decide's, the ship stage's and the invoice
        stage's, each moved along by the store's write version), the lines of the orders they do not hold read by
        key. Only when the kept orders are most of the stored ones and their lines most of the lines (the night's
        orders: an aged store's are mostly earlier nights', read whole instead, the orders counted first, the lines
        only then) and each order kept has as many lines as stored (one pass over the lines' key index counts them).
        None otherwise (not in the night's keeping, a write of another connection or process since): the caller
        reads them. What was kept is let go here, taken or not."""
        import numpy as np
        import pyarrow as pa

        from connectors import store_versions
        from connectors.state import LINE_COLUMNS
        from schemas.lifecycle import LINE_ROWS

        if not (store_versions.active() and getattr(self, "_versioned", False) and self.dialect.name == "sqlite") \
                or self._depth or self._db.in_transaction:
            return None
        version = self.write_version()
        have = store_versions.held(self.path, "order_lines", version)
        if not have or 2 * len(have) < self._q("SELECT count(*) FROM orders")[0][0]:
            store_versions.forget(self.path)  # mostly orders of earlier nights (an aged store): one read of them all
            return None
        counts = self._q("SELECT partner, po_number, count(*) FROM order_lines GROUP BY partner, po_number"
                         " ORDER BY partner, po_number")
        total = sum(c for _, _, c in counts)
        mine = [(p, po) for p, po, _ in counts if (p, po) in have]
        others = [(p, po) for p, po, _ in counts if (p, po) not in have]
        if not mine or 2 * sum(c for p, po, c in counts if (p, po) not in have) > total:
            store_versions.forget(self.path)  # mostly lines of earlier nights' orders: the same
            return None
        kept = store_versions.take(self.path, "order_lines", version, mine, by_part=True)  # (ordered below)
        store_versions.forget(self.path)  # (taken: no later stage of the night takes them)
        if kept is None:
            return None
        kept = pa.Table.from_arrays(kept.columns, schema=LINE_ROWS)
        read = self._arrow_by_keys(f"SELECT {', '.join(LINE_COLUMNS)} FROM order_lines WHERE", others,
                                   "ORDER BY partner, po_number, line_number", LINE_ROWS) if others else None
        both = pa.concat_tables([kept, read]) if read is not None and read.num_rows else kept
        n = both.num_rows
        if n != total:
            return None
        firsts, sizes, named = store_versions.order_runs(both)  # each order's rows in ``both``
        where = {k: (f, z) for k, f, z in zip(named, firsts.tolist(), sizes.tolist(), strict=True)}
        if len(where) != len(counts):
            return None
        spans = [where.get((p, po)) for p, po, _ in counts]  # each order's rows, in the store's key order
        if any(sp is None or sp[1] != c for sp, (_, _, c) in zip(spans, counts, strict=True)):
            return None
        starts = np.fromiter((sp[0] for sp in spans), np.int64, len(spans))
        sizes = np.fromiter((sp[1] for sp in spans), np.int64, len(spans))
        ends = np.cumsum(sizes)
        at = np.arange(n, dtype=np.int64) + np.repeat(starts - (ends - sizes), sizes)
        if not np.array_equal(at, np.arange(n)):
            both = both.take(pa.array(at, pa.int64()))
        if self.write_version() != version:  # (nothing committed while they were counted and read)
            return None
        columns = []
        for name in LINE_COLUMNS:
            col = both[name]
            if col.null_count == n:
                col = pa.nulls(n, pa.int64())  # the driver's type for a column of NULLs alone
            elif pa.types.is_integer(col.type) and col.type != pa.int64():
                col = col.cast(pa.int64())
            columns.append(col)
        store_versions.taken("finance_lines")
        return pa.table(columns, names=list(LINE_COLUMNS)).combine_chunks()

    def hand_on_lines(self, run_id: str) -> bool:
        """At the end of the night's reconciliation: the lines finance_lines(keep=True) read handed on to
        the run's report (handed_lines: in this process, once) when they are still what is stored (no
        commit of another connection since, no write of this one to order_lines; the night holds the
        workspace lease, so no other process writes lines until its report is written: flows.night asks for
        them right after this stage, flows.reports.write_run_reports(handed_lines=True)). False when not."""
        kept, self._kept_lines = self._kept_lines, None
        _HANDED.clear()
        if kept is None or kept[0] != self._lines_version():
            return False
        _HANDED[(self.path, run_id)] = kept[1]
        return True

    def handed_lines(self, run_id: str, scope: Sequence[str]) -> pa.Table | None:
        """lines_of_runs(scope)'s table from the lines the run's reconciliation handed on (hand_on_lines):
        the same rows, columns and types (filtered by run_id in Arrow, in the key order they were read in);
        None when none were handed on for this run and store (the caller reads the store)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        from connectors.arrow_sql import typed
        from connectors.state import LINE_COLUMNS

        raw = _HANDED.pop((self.path, run_id), None)
        _HANDED.clear()
        ids = sorted(set(scope))
        if raw is None or not ids:
            return None
        ints = {"line_number", "allocated", "backordered", "rejected", "revision", "unit_eaches"}
        schema = pa.schema([(c, pa.int64() if c in ints else pa.string()) for c in LINE_COLUMNS])
        if raw.column_names != list(LINE_COLUMNS) or any(  # every value of a column of one kind: the store's
                col.null_count != len(col) and col.type != f.type for col, f in zip(raw.columns, schema, strict=True)):
            return None  # read of the runs' rows alone types them alike (else: that read, as lines_of_runs does)
        run = raw["run_id"]
        if run.null_count == len(run):  # (no line holds a run: the driver typed the column as integers)
            return typed(raw.slice(0, 0), schema).combine_chunks()
        keep = pc.equal(run, pa.scalar(ids[0], pa.string())) if len(ids) == 1 else pc.is_in(
            run, value_set=pa.array(ids, pa.string()))
        return typed(raw.filter(keep), schema).combine_chunks()

    def events_of(self, kinds: Iterable[str]) -> pa.Table:
        """History rows of these event kinds (e.g. cancellations), in the store's sequence."""
        wanted = sorted(set(kinds))
        if not wanted:
            return _table([], EVENT_ROWS)
        return self._read(f"SELECT {', '.join([n for n, _ in EVENT_ROWS])} FROM order_events WHERE event IN"
                          f" ({','.join('?' * len(wanted))}) ORDER BY seq", EVENT_ROWS, wanted)

    def sent_sets_of(self, set_ids: Iterable[str], partner: str | None = None, *,
                     gs06s: Iterable[str] | None = None) -> pa.Table:
        """Every delivered transaction set of these types (ST01) with its document's numbers, file and
        delivery time (the run clock's): what a partner can have acknowledged. ``gs06s`` (with ``partner``): only
        the sets of groups with those GS06s (as engine.partner_acks.control_key writes them: any leading zeros)
        and those of documents sent again under new numbers (the resend's GS06 is the one answered): what one
        received file's answers can name (engine.partner_acks.answered_here), not every set ever sent."""
        wanted = sorted(set(set_ids))
        if not wanted:
            return _table([], SENT_ROWS)
        resent = self.resent_numbers()
        if gs06s is not None and partner:
            written = sorted({w for g in gs06s if g is not None for w in _written(g)})
            renumbered = sorted({r[1] for r in resent})
            own = [c for c, _ in SENT_ROWS if c not in DOCUMENT_NUMBERS]
            parts, args = [], []
            for i in range(0, max(len(written), 1), 500):
                chunk = written[i:i + 500]
                if chunk:
                    parts.append(f"SELECT {', '.join(own)} FROM document_sets WHERE partner=? AND set_id IN"
                                 f" ({','.join('?' * len(wanted))}) AND gs06 IN ({','.join('?' * len(chunk))})")
                    args += [partner, *wanted, *chunk]
            for i in range(0, len(renumbered), 500):
                chunk = renumbered[i:i + 500]
                parts.append(f"SELECT {', '.join(own)} FROM document_sets WHERE partner=? AND set_id IN"
                             f" ({','.join('?' * len(wanted))}) AND document_id IN ({','.join('?' * len(chunk))})")
                args += [partner, *wanted, *chunk]
            if not parts:
                return _table([], SENT_ROWS)
            return self._sent_rows(f"SELECT DISTINCT * FROM ({' UNION ALL '.join(parts)}) AS named", own, args,
                                   resent, theirs_only=True)

        # the sets and the delivered documents' numbers read apart (a document's once: a row holding a run's
        # batch of 855s keeps status and delivery time behind megabytes of content) and put together here:
        # SQLite's join looked each set's document up by index and sorted the rows (33 + 16 of 50 ms)
        own = [c for c, _ in SENT_ROWS if c not in DOCUMENT_NUMBERS]
        sql = f"SELECT {', '.join(own)} FROM document_sets WHERE set_id IN ({','.join('?' * len(wanted))})"
        args: list = list(wanted)
        if partner:
            sql, args = sql + " AND partner=?", [*args, partner]
        return self._sent_rows(sql, own, args, resent)

    def _sent_rows(self, sql: str, own: list[str], args: list, resent: list[tuple], *,
                   theirs_only: bool = False) -> pa.Table:
        """sent_sets_of's sets read by ``sql`` (columns ``own``) with their delivered documents' numbers.
        ``theirs_only``: the numbers of those sets' documents alone, read by id (a few sets: a 997's groups), not
        of every document delivered (each row's status and time sit behind its content: SQLite reads past every
        batch's bytes, a store's whole history of them)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        sets = self._read(sql, [f for f in SENT_ROWS if f[0] in own], args)
        numbers = [f for f in SENT_ROWS if f[0] in ("document_id", *DOCUMENT_NUMBERS)]
        docs_sql = "SELECT isa13, file_name, id, delivered_at FROM documents WHERE status='delivered'"
        if theirs_only:
            parts = [self._read(f"{docs_sql} AND {within}", numbers, some)
                     for within, some in self._by_document_ids(sets["document_id"].to_pylist())]
            docs = pa.concat_tables(parts) if len(parts) > 1 else parts[0] if parts else _table([], numbers)
        else:
            docs = self._read(docs_sql, numbers)
        at = pc.index_in(sets["document_id"], value_set=docs["document_id"])  # a document's id once
        if at.null_count:  # a set of a document not delivered: not sent
            sets, at = sets.filter(pc.is_valid(at)), at.drop_null()
        theirs = docs.take(at)
        table = _with_resent_numbers(pa.Table.from_arrays(
            [theirs[c] if c in DOCUMENT_NUMBERS else sets[c] for c, _ in SENT_ROWS], schema=schema(SENT_ROWS)),
            resent)
        return table.take(pc.sort_indices(table, sort_keys=[("partner", "ascending"), ("document_id", "ascending"),
                                                            ("position", "ascending")])).combine_chunks()

    def sent_documents(self, doc_types: Iterable[str], *, content: bool = True,
                       ids: Iterable[int] | None = None) -> pa.Table:
        """Delivered documents of these types with their content (what the partner received), ordered
        partner, id. ``content`` False: without it (an empty content each: their numbers, file and time
        alone); ``ids``: only those documents."""
        import pyarrow as pa
        import pyarrow.compute as pc

        wanted = sorted(set(doc_types))
        if not wanted:
            return _table([], DOCUMENT_ROWS)
        # read in id order (an index's), the partners put in order here: SQLite sorting by partner copies
        # every row it sorts, the documents' content with it (a night's 855s: 14 MB, 40 of 50 ms)
        sql = (f"SELECT partner, id, doc_type, isa13, file_name, delivered_at, {'content' if content else 'NULL'}"
               f" FROM documents WHERE doc_type IN ({','.join('?' * len(wanted))}) AND status='delivered'")
        if ids is None:
            table = self._read(sql + " ORDER BY id", DOCUMENT_ROWS, wanted)
        else:
            parts = [self._read(sql + f" AND {within} ORDER BY id", DOCUMENT_ROWS, [*wanted, *some])
                     for within, some in self._by_document_ids(ids)]
            table = pa.concat_tables(parts) if len(parts) > 1 else parts[0] if parts else _table([], DOCUMENT_ROWS)
        if not content:
            table = table.set_column(6, "content", pa.repeat(pa.scalar(b"", pa.binary()), table.num_rows))
        partner = table["partner"]
        if table.num_rows < 2 or pc.all(pc.less_equal(partner.slice(0, table.num_rows - 1), partner.slice(1))).as_py():
            return table  # one partner's (or in order already): no copy of the content
        return table.take(pc.sort_indices(table, sort_keys=[("partner", "ascending"), ("document_id", "ascending")]))

    def _by_document_ids(self, ids: Iterable[int]) -> list[tuple[str, list]]:
        """A condition on documents' ``id`` for each read of these ids (in order), with its arguments: on
        SQLite a few hundred a query (IN (...)); on PostgreSQL all of them in one query (one array). A
        query per chunk there scans the delivered documents once per chunk (s57, pgcost: the plan goes
        by status, whose statistics predate the delivery) - 20 scans of a night's 10,000 855s, 0.67 s of
        the server's time, and growing with the store's history."""
        some = sorted(set(ids))
        if not some:
            return []
        if self.dialect.name != "sqlite":
            return [("id = ANY(?::bigint[])", [some])]
        return [(f"id IN ({','.join('?' * len(chunk))})", chunk) for chunk in (some[i:i + CHUNK]
                                                                             for i in range(0, len(some), CHUNK))]

    def csv_acknowledgments(self, *, content: bool = True, ids: Iterable[int] | None = None) -> pa.Table:
        """Our delivered CSV acknowledgments that answer orders (DOCUMENT_ROWS with their content), ordered
        partner, id: not intake's refusals of the rows of a CSV order file it did not take (engine.process: their
        set's key ends ":refused"), which acknowledge no order we hold. ``content`` False: without it (an empty
        content each); ``ids``: only those documents."""
        import pyarrow as pa

        sql = (f"SELECT partner, id, doc_type, isa13, file_name, delivered_at, {'content' if content else 'NULL'}"
               " FROM documents d WHERE doc_type = 'CSV' AND status = 'delivered' AND NOT EXISTS (SELECT 1 FROM"
               " document_sets s WHERE s.document_id = d.id AND s.doc_key LIKE '%:refused')")
        if ids is None:
            table = self._read(sql + " ORDER BY partner, id", DOCUMENT_ROWS)
        else:
            some = sorted(set(ids))
            chunks = (some[i:i + CHUNK] for i in range(0, len(some), CHUNK))
            parts = [self._read(sql + f" AND id IN ({','.join('?' * len(chunk))}) ORDER BY partner, id",
                                DOCUMENT_ROWS, chunk) for chunk in chunks]
            table = pa.concat_tables(parts) if len(parts) > 1 else parts[0] if parts else _table([], DOCUMENT_ROWS)
        if not content:
            table = table.set_column(6, "content", pa.repeat(pa.scalar(b"", pa.binary()), table.num_rows))
        return table

    def partner_findings(self) -> pa.Table:
        """Every finding recorded about what partners sent (for the validation error rate): not those of
        a warehouse's confirmations that concern no partner's order (partner "warehouse:<id>")."""
        return self._read("SELECT partner, code, severity, po_number, file, stage FROM findings"
                          " WHERE partner IS NOT NULL AND partner <> '' AND partner NOT LIKE ? ORDER BY id",
                          FINDING_ROWS, (WAREHOUSE_PARTY + "%",))

    def allowance_findings(self) -> pa.Table:
        """The SAC_NOT_APPLIED findings about orders (ALLOWANCE_ROWS), in the order they were recorded: what
        each 850 asked for in SAC allowances and charges that we did not apply (engine.finance_inputs
        po_allowances and po_charges read the SACs their detail names, findings.sacs, of those whose order was
        stored before its SACs were kept: flows.reconcile)."""
        import pyarrow.compute as pc

        # found at intake on the 850 as a whole: stored with its PO since engine.lifecycle.intake.finding_po;
        # one stored before names none, and its order is the one that 850 made
        t = self._read("SELECT f.partner, COALESCE(NULLIF(f.po_number, ''), o.po_number), f.message, f.file,"
                       " f.our_810s, f.sacs"
                       " FROM findings f LEFT JOIN orders o ON o.partner = f.partner AND o.isa13 = f.isa13"
                       " AND o.gs06 = f.gs06 AND o.st02 = f.st02 WHERE f.code = 'SAC_NOT_APPLIED'"
                       " AND COALESCE(f.partner, '') <> '' ORDER BY f.id", ALLOWANCE_ROWS)
        return t.filter(pc.fill_null(pc.not_equal(t["po_number"], ""), False)) if t.num_rows else t

    def held_shipment_findings(self) -> pa.Table:
        """The error findings of the shipments stage that held a confirmed shipment (HELD_ROWS: the shipment their
        detail names, findings.shipment_id; their consequence says "shipment S held: ..."), in the order they were
        recorded, each once per order line the held shipment carried in that run (held_lines: its PO and line
        number); a finding whose shipment's lines are not kept (held before HELD_LINES) once, with its own PO and
        no line."""
        return self._read("SELECT f.partner AS partner, COALESCE(h.po_number, f.po_number) AS po_number,"
                          " f.code AS code, f.message AS message, f.shipment_id AS shipment_id,"
                          " h.line_number AS line_number FROM findings f LEFT JOIN held_lines h ON h.run_id = f.run_id"
                          " AND h.shipment_id = f.shipment_id AND h.partner = f.partner"
                          " WHERE f.stage = 'shipments' AND f.severity = 'error' AND f.shipment_id IS NOT NULL"
                          " AND COALESCE(f.partner, '') <> '' AND COALESCE(h.po_number, f.po_number, '') <> ''"
                          " ORDER BY f.id, h.po_number, h.line_number", HELD_ROWS)

    # --- exceptions -------------------------------------------------------------------------------
    def stored_exceptions(self, *, active: bool | None = None, states: Iterable[str] | None = None,
                          partner: str | None = None, ids: Iterable[str] | None = None,
                          po_number: str | None = None) -> pa.Table:
        """Exceptions as EXCEPTIONS rows plus their book-keeping (active, first/last run and time found,
        cleared_at), ordered partner, PO, line, type, id."""
        sql, args = f"SELECT {', '.join(EXCEPTION_COLUMNS)} FROM exceptions WHERE 1=1", []
        if active is not None:
            sql, args = sql + " AND active=?", [*args, int(active)]
        if states is not None:
            wanted = sorted(set(states))
            sql, args = sql + f" AND state IN ({','.join('?' * len(wanted))})", [*args, *wanted]
        if partner:
            sql, args = sql + " AND partner=?", [*args, partner]
        if po_number:
            sql, args = sql + " AND po_number=?", [*args, po_number]
        import pyarrow as pa
        import pyarrow.compute as pc

        from schemas.reconciliation import EXCEPTIONS

        time = pa.timestamp("s")
        schema = pa.schema([*EXCEPTIONS, pa.field("active", pa.bool_()), pa.field("first_run", pa.string()),
                            pa.field("last_run", pa.string()), pa.field("first_found_at", time),
                            pa.field("last_found_at", time), pa.field("cleared_at", time)])
        read = pa.schema([pa.field("active", pa.int64()) if f.name == "active" else f for f in schema])  # 0/1 as kept
        if ids is not None:  # a chunk of ids at a time, through the store's connection (not one opened per chunk)
            chosen = sorted(set(ids))
            rows: list[tuple] = []
            for i in range(0, len(chosen), CHUNK):
                part = chosen[i:i + CHUNK]
                rows += self._q(sql + f" AND exception_id IN ({','.join('?' * len(part))})", [*args, *part])
            table = _table(rows, read)
        else:
            table = self._read(sql, read, args)
        at = schema.get_field_index("active")
        table = table.set_column(at, schema.field("active"), pc.not_equal(table["active"], 0))
        # ordered partner, PO, line (none first), type, id: column-wise, as a sort of the rows by those values
        order = pc.sort_indices(pa.table([table["partner"], table["po_number"], pc.fill_null(table["line_number"], -1),
                                          table["type"], table["exception_id"]], names=["p", "po", "n", "t", "id"]),
                                sort_keys=[(k, "ascending") for k in ("p", "po", "n", "t", "id")])
        return table.take(order).combine_chunks()

    def exceptions_of_order(self, partner: str, po_number: str) -> list[dict]:
        """The stored exceptions about one order as plain values (text, as stored), found ones first."""
        cols = ("exception_id", "type", "line_number", "document_ref", "amount_at_risk", "currency", "age_days",
                "state", "state_by", "state_note", "active", "message")
        rows = self._q(f"SELECT {', '.join(cols)} FROM exceptions WHERE partner=? AND po_number=? ORDER BY active"
                       " DESC, line_number, type, exception_id", (partner, po_number))
        return [dict(zip(cols, r, strict=True)) for r in rows]

    def exception_evidence(self, ids: Iterable[str] | pa.Array | pa.ChunkedArray | None = None) -> pa.Table:
        """EVIDENCE rows of these exceptions (all when None; ``ids`` an Arrow array of them too), each
        exception's in its order."""
        import pyarrow as pa
        import pyarrow.compute as pc

        from schemas.reconciliation import EVIDENCE

        sql = f"SELECT {', '.join(EVIDENCE_COLUMNS)} FROM exception_evidence"
        schema = pa.schema([EVIDENCE.field("exception_id"), pa.field("position", pa.int32()), *list(EVIDENCE)[1:]])
        chosen = None if ids is None else pc.unique(ids if isinstance(ids, pa.Array | pa.ChunkedArray) else pa.array(
            list(ids), pa.string()))
        if chosen is None or len(chosen) > EVIDENCE_READ_ALL:  # every row read in one query, those of other ids left
            table = self._read(sql + " ORDER BY exception_id, position", schema)
            if chosen is not None:
                keep = pc.is_in(table["exception_id"], value_set=chosen)
                if not pc.all(keep).as_py():  # (a filter keeping every row copies them all)
                    table = table.filter(keep)
        else:
            chosen = sorted(chosen.to_pylist())
            rows: list[tuple] = []
            for i in range(0, len(chosen), CHUNK):
                part = chosen[i:i + CHUNK]
                rows += self._q(sql + f" WHERE exception_id IN ({','.join('?' * len(part))}) ORDER BY exception_id,"
                                " position", part)
            table = _table(rows, schema)
        return table.drop_columns(["position"]).cast(EVIDENCE)

    def exception_history(self, exception_id: str | None = None) -> list[dict]:
        """State changes (people's and orderbridge's), in the order they happened."""
        sql = f"SELECT {', '.join(HISTORY_COLUMNS)} FROM exception_history"
        rows = self._q(sql + (" WHERE exception_id=?" if exception_id else "") + " ORDER BY seq",
                       (exception_id,) if exception_id else ())
        return [dict(zip(HISTORY_COLUMNS, r, strict=True)) for r in rows]

    def exception_history_table(self) -> pa.Table:
        """exception_history() as one Arrow table (HISTORY_ROWS: seq an integer, the rest the stored text),
        read straight into Arrow where the store can: no dict per change (a night of 120,000 new
        exceptions adds as many)."""
        return self._read(f"SELECT {', '.join(HISTORY_COLUMNS)} FROM exception_history ORDER BY seq", HISTORY_ROWS)

    def reconciliations(self) -> list[dict]:
        rows = self._q(f"SELECT {', '.join(RECONCILIATION_COLUMNS)} FROM reconciliations ORDER BY as_of, run_id")
        return [dict(zip(RECONCILIATION_COLUMNS, r, strict=True)) for r in rows]

    def exception_snapshot(self, run_id: str) -> pa.Table:
        """The exceptions a reconciliation found, with their amount and state at that run (EXCEPTIONS
        columns; the others as the exception is stored now)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        from schemas.reconciliation import EXCEPTIONS

        snap = {r[0]: (r[1], r[2]) for r in self._q(
            "SELECT exception_id, amount_at_risk, state FROM exception_snapshots WHERE run_id=?", (run_id,))}
        table = self.stored_exceptions(ids=snap)
        if not table.num_rows:
            return EXCEPTIONS.empty_table()
        ids = table["exception_id"].to_pylist()
        amount = pc.cast(pa.array([snap[i][0] for i in ids], pa.string()), EXCEPTIONS.field("amount_at_risk").type)
        state = pa.array([snap[i][1] for i in ids], pa.string())
        table = table.select(EXCEPTIONS.names)
        table = table.set_column(table.schema.get_field_index("amount_at_risk"), EXCEPTIONS.field("amount_at_risk"),
                                 amount)
        return table.set_column(table.schema.get_field_index("state"), EXCEPTIONS.field("state"), state)

    def save_reconciliation(self, run_id: str, as_of: datetime, exceptions: pa.Table, evidence: pa.Table,
                            changes: Sequence[StateChange], *, lines: int, documents: pa.Table,
                            clock: str = "run") -> dict:
        """One reconciliation in one transaction: the exceptions found (with their states, carried by
        engine.exception_states) inserted or updated and marked active, the others inactive with the
        state ``changes`` gave them; their evidence replaced; every change in the history; this run's
        snapshot and summary row. Returns the summary row. Each table's rows are written in the order of
        its key (the evidence's and the snapshot's B-trees filled in order, not at random hash-like ids:
        ~0.25 s CPU less at 120,000 exceptions), each table's text built when it is written and let go after."""
        import pyarrow as pa
        import pyarrow.compute as pc

        at = _text(as_of)
        found = exceptions.select(list(EXCEPTION_FIELDS))
        n = found.num_rows
        new_ids = {c.exception_id for c in changes if c.action == "found"}
        cleared = {c.exception_id: c for c in changes if c.action == "clear"}
        # the unresolved exceptions (state not "resolved", a null state counting), their amounts summed per
        # currency (none: "") exactly in Arrow's decimals
        open_ = pc.fill_null(pc.not_equal(found["state"], "resolved"), True)
        unresolved = int(pc.sum(pc.cast(open_, pa.int64())).as_py() or 0)
        sums = pa.table({"currency": pc.fill_null(found["currency"], ""), "amount": found["amount_at_risk"]}).filter(
            open_).group_by("currency", use_threads=False).aggregate([("amount", "sum")])
        amount: dict[str, Decimal] = dict(zip(sums["currency"].to_pylist(), sums["amount_sum"].to_pylist(),
                                              strict=True))
        status = documents["status"].to_pylist() if documents.num_rows else []
        summary = {"run_id": run_id, "as_of": at, "lines": lines, "exceptions": n, "unresolved": unresolved,
                   "amount_at_risk": json.dumps({c: _text(v) for c, v in sorted(amount.items())}),
                   "new_exceptions": len(new_ids),
                   "cleared_exceptions": len(cleared), "documents": len(status),
                   "rejected_documents": status.count("rejected"), "overdue_documents": status.count("overdue")}
        by_id = pc.sort_indices(found["exception_id"])  # each table written in the order of its key
        with self.transaction():
            self._save_exceptions(found, by_id, new_ids, run_id, at)
            if cleared:
                self._many("UPDATE exceptions SET active=0, cleared_at=?, state=?, state_by=?, state_note=?,"
                           " state_at=? WHERE exception_id=? AND active=1",
                           [(at, c.to_state, c.by, c.note, _text(c.at), i) for i, c in cleared.items()])
            # the evidence of those found before replaced (a new one has none: it is stored with its exception)
            known = sorted(i for i in found["exception_id"].to_pylist() if i not in new_ids)
            for i in range(0, len(known), CHUNK):
                part = known[i:i + CHUNK]
                self._q(f"DELETE FROM exception_evidence WHERE exception_id IN ({','.join('?' * len(part))})", part)
            ev_rows, ev_order = _evidence_rows(evidence)
            self._insert_rows("exception_evidence", EVIDENCE_COLUMNS, ev_rows, order=ev_order, by="role")
            ev_rows = ev_order = None
            self._history(changes, clock=clock, run_id=run_id)
            self._q("DELETE FROM exception_snapshots WHERE run_id=?", (run_id,))
            snapshot = pa.table([pa.repeat(pa.scalar(run_id, pa.string()), n), *(_text_array(found[c]) for c in (
                "exception_id", "type", "partner", "po_number", "line_number", "amount_at_risk", "state"))],
                names=["run_id", "exception_id", "type", "partner", "po_number", "line_number", "amount_at_risk",
                       "state"])
            self._insert_rows("exception_snapshots", snapshot.column_names, snapshot, order=by_id)
            self._q(f"INSERT INTO reconciliations ({', '.join(RECONCILIATION_COLUMNS)}) VALUES"
                    f" ({','.join('?' * len(RECONCILIATION_COLUMNS))}) ON CONFLICT (run_id) DO UPDATE SET "
                    + ", ".join(f"{c}=excluded.{c}" for c in RECONCILIATION_COLUMNS[1:]),
                    [summary[c] for c in RECONCILIATION_COLUMNS])
        return summary

    def _save_exceptions(self, found: pa.Table, order: pa.Array, new_ids: set[str], run_id: str, at: str) -> None:
        """The found exceptions (EXCEPTION_FIELDS; written in ``order``) active and found now: those of
        ``new_ids`` (found for the first time: none stored) inserted, the others updated where stored."""
        import pyarrow as pa
        import pyarrow.compute as pc

        n = found.num_rows
        # the values as the store keeps them (_text), built column by column, the book-keeping's constant
        rows = pa.table([*(_text_array(found[c]) for c in EXCEPTION_FIELDS), pa.repeat(pa.scalar(1, pa.int64()), n),
                         *(pa.repeat(pa.scalar(v, pa.string()), n) for v in (run_id, run_id, at, at)),
                         pa.nulls(n, pa.string())], names=list(EXCEPTION_COLUMNS))
        update_cols = [c for c in EXCEPTION_FIELDS if c != "exception_id"]
        upsert = " ON CONFLICT (exception_id) DO UPDATE SET " + ", ".join(
            f"{c}=excluded.{c}" for c in (*update_cols, "active", "last_run", "last_found_at", "cleared_at"))
        # a new exception is inserted without the upsert's clause (a row stored with its id would fail the
        # transaction, not be overwritten): SQLite's conflict handling costs ~0.1 s CPU per 120,000 rows
        new = pc.is_in(pc.take(found["exception_id"], order), value_set=pa.array(sorted(new_ids), pa.string()))
        self._insert_rows("exceptions", EXCEPTION_COLUMNS, rows, order=order.filter(new), by="type")
        self._insert_rows("exceptions", EXCEPTION_COLUMNS, rows, conflict=upsert, order=order.filter(pc.invert(new)),
                          by="type")

    def _history(self, changes: Sequence[StateChange], *, clock: str, run_id: str) -> None:
        if not changes:
            return
        import pyarrow as pa

        seqs = self._next_ids("exception_event", len(changes))
        at = {t: _text(t) for t in {c.at for c in changes}}  # a run's changes share a few times: each written once
        n = len(changes)
        # many rows per statement, the run's constant columns (action, states, actor, time, clock, run) as literals:
        # a night's "found" changes bind only their seq, exception id and note
        rows = pa.table([pa.array(seqs, pa.int64()), *(pa.array(v, pa.string()) for v in (
            [c.exception_id for c in changes], [c.action for c in changes], [c.from_state or None for c in changes],
            [c.to_state for c in changes], [c.by for c in changes], [c.note for c in changes],
            [at[c.at] for c in changes], [clock] * n, [run_id or None] * n))], names=list(HISTORY_COLUMNS))
        self._insert_rows("exception_history", HISTORY_COLUMNS, rows)

    def change_exception(self, change: StateChange, *, clock: str = "wall") -> None:
        """A person's action (engine.exception_states.act) on a stored exception, with its history
        row, in one transaction; refused (StateConflict) when the exception moved on meanwhile."""
        from connectors.state import StateConflict

        with self.transaction():
            done = self._many("UPDATE exceptions SET state=?, state_by=?, state_note=?, state_at=? WHERE"
                              " exception_id=? AND state=?", [(change.to_state, change.by, change.note,
                                                               _text(change.at), change.exception_id,
                                                               change.from_state)])
            if done != 1:
                raise StateConflict("the exception changed meanwhile; look at it again",
                                    exception_id=change.exception_id, expected=change.from_state)
            self._history([change], clock=clock, run_id="")


__all__ = ["FinanceTables", "StateError", "schema"]
