"""The reconciliation's input tables (schemas.reconciliation, schemas.functional_acks) shaped from the
state store's raw rows (connectors.finance_store): ORDERED from the orders, their lines and the
history's cancellations; ACKNOWLEDGED from the lines as our latest delivered 855/865 told them;
SENT_SETS from the delivered sets; RECEIVED_FINDINGS from the findings. Pure and columnar: Arrow
tables in, Arrow tables out; the flows read the raw tables (one query each) and pass them here.

How the store's facts become the reconciliation's (docs/reconciliation.md, "Filled from the store"):
  ORDERED       one row per order_lines row (deleted and cancelled lines included); quantity = what we
                acknowledge ordering; cancelled_at = the cancellation (850 BEG01 01 / 860 BCH01 01) for a
                cancelled line, the 860 or replacement that made the line's revision for a deleted one;
                requested_ship_date from the stored 850 (DTM 010); fa_sent_at = delivery of our 997
                for the 850's group; lineage = the 850.
  ACKNOWLEDGED  every ACK segment of the 855s and 865s we delivered, read back from the stored
                documents (what the partner was told, with that document's numbers and file): the line
                is ours whose PO101 the PO1 (the 865's POC01) echoes; price PO104 (POC06), else the
                line's; the reconciliation takes the latest document per line. A CSV partner's CSV
                acknowledgments (its 855s) likewise, read back in its layout (csv_acknowledged).
  SHIPPED,      the 856 and 810 lines as RECORDED_LINES, on the line their LIN01 / IT101 echoes: our own
  INVOICED      shipments and delivered 810s (the shipments and invoices tables: departure, delivery of the
                856/810) and those another system of ours sent (recorded): the 856's DTM 011 is the
                departure, its GS04/GS05 (or the time given when recording) the time it was sent.
  SENT_SETS     every delivered 855, 865, 856 and 810 set with its ISA13/GS06/ST02, file and delivery
                time; functional id from ST01; document_ref = shipment id / invoice number when known,
                else the PO.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engine.charge_match import ASKS_NOTHING
from engine.columnar import decimal_array
from engine.csv_ack import read_csv_ack
from parsers import x12_dates
from parsers.sent_documents import element, number
from parsers.x12_reader import read_interchanges
from schemas.changes import DELETE_TYPES
from schemas.codes_finance import PARTNER_VERDICTS
from schemas.findings import Finding, SacNamed, finding, sacs_of
from schemas.fulfilment import CsvAckSettings
from schemas.functional_acks import SENT_SETS
from schemas.grocery_invoice import g72_kind, g72_sacs
from schemas.grouping import encode, first_rows, in_key_order, lookup, per_distinct
from schemas.order_keys import BLANKET, REF, SEP, key_release, release_keys, x12_po
from schemas.orders import MONEY, PRICE, QTY, WIDE_PRICE, prices_as
from schemas.reconciliation import (
    ACKNOWLEDGED,
    INVOICE_CHARGES,
    INVOICE_TOTALS,
    INVOICED,
    INVOICED_FIRST_SENT,
    ORDERED,
    PO_ALLOWANCES,
    PO_CHARGES,
    RECEIVED_FINDINGS,
    SHIPPED,
)

FUNCTIONAL_IDS = {"855": "PR", "865": "CA", "856": "SH", "810": "IN", "880": "GP"}  # 880: a grocer's invoice
PARTNER_ACKED = tuple(FUNCTIONAL_IDS)  # the sets a partner's 997/999 acknowledges
INVOICE_SETS = ("810", "880")  # our invoices: the 810, or a grocer's 880 (engine.invoice_880)
ANSWERS = ("855", "865")
OUR_997 = ("997",)
ORDER_CANCELLED = ("po_cancelled", "change_cancelled")  # the whole order cancelled (its lines: cancelled)
REVISED = ("change_applied", "po_replaced")  # a new revision (a line it leaves out: deleted)
# a PO that takes no back order (CSH01 N, SP) shipped short, or one past its last date shipped short or not at all:
# the balance of its lines cancelled (not owed)
BALANCE_CANCELLED = ("balance_cancelled", "balance_cancelled_settled", "balance_cancelled_open",
                     "balance_cancelled_unshipped")
CANCEL_EVENTS = ORDER_CANCELLED + REVISED + BALANCE_CANCELLED  # the history's events the reconciliation reads
ENDED_LINES = ("cancelled", "deleted")
RECEIVED_STAGES = ("intake", "decide", "recheck")  # findings about what partners sent
_KEY = ["partner", "po_number"]
ECHO_KEYS = ["partner", "po_number", "echo"]  # what our documents name a line by
# the order-line columns (connectors.finance_store LINE_ROWS) ordered, acknowledged, shipped and invoiced read
LINE_COLUMNS = ("partner", "po_number", "line_number", "line_id", "sku", "state", "ordered", "unit", "unit_price",
                "ack_price", "revision", "ordered_sku")
TIME = pa.timestamp("s")
# what our delivered documents say, read once per document and kept (flows.reconcile): ANSWER_ROWS the ACKs of
# our 855s and 865s (answer_rows), TOTAL_ROWS and CHARGE_ROWS our 810s' totals and SACs (invoice_rows); each row
# with the document it is in and its segment's place there. A change of what they hold or how they are read
# bumps ROWS_VERSION (the rows kept before are read again from the documents).
# 2: TOTAL_ROWS holds the 810s' taxes (TXI); 3: a tax stated on the lines alone counts; 4: ANSWER_ROWS and CSV_ROWS
# hold prices to 6 decimals (PRICE: 0.00418)
ROWS_VERSION = 4
_PLACE = [pa.field("document_id", pa.int64()), pa.field("_seg", pa.int64())]
ANSWER_ROWS = pa.schema([
    *(pa.field(n, pa.string()) for n in ("partner", "po_number", "isa13", "gs06", "st02", "set_id", "release",
                                         "echo")),
    pa.field("price", PRICE), pa.field("ack_code", pa.string()), pa.field("quantity", QTY),
    pa.field("ack_unit", pa.string()), pa.field("promised_date", pa.date32()), *_PLACE])
TOTAL_ROWS = pa.schema([*(pa.field(f.name, f.type) for f in INVOICE_TOTALS if f.name not in ("file", "sent_at")),
                        *_PLACE])
CHARGE_ROWS = pa.schema([*(pa.field(f.name, f.type) for f in INVOICE_CHARGES if f.name not in ("file", "sent_at")),
                         *_PLACE])
REQUESTED_COLUMNS = ["partner", "po_number", "order_ref", "requested_ship_date"]  # what requested_dates reads
RELEASE_COLUMNS = ["partner", "po_number", "release_number"]  # what order_releases reads


def requested_dates(order_tables: Iterable[pa.Table]) -> pa.Table:
    """(partner, po_number, order_ref, requested_ship_date) from stored ORDERS tables (connectors.order_store)."""
    parts = [t.select(REQUESTED_COLUMNS) for t in order_tables]
    if not parts:
        return pa.table({"partner": pa.array([], pa.string()), "po_number": pa.array([], pa.string()),
                         "order_ref": pa.array([], pa.string()), "requested_ship_date": pa.array([], pa.date32())})
    return pa.concat_tables(parts).group_by(["partner", "po_number", "order_ref"], use_threads=False).aggregate(
        [("requested_ship_date", "min")]).rename_columns(["partner", "po_number", "order_ref", "requested_ship_date"])


def _with_requested(orders: pa.Table, requested: pa.Table | None) -> pa.Table:
    if requested is None or not requested.num_rows:
        return orders.append_column("requested_ship_date", pa.nulls(orders.num_rows, pa.date32()))
    return orders.join(requested, ["partner", "po_number", "order_ref"], join_type="left outer", use_threads=False)


def ordered(orders: pa.Table, lines: pa.Table, events: pa.Table, sent: pa.Table,
            requested: pa.Table | None = None, grocery: pa.Table | None = None) -> pa.Table:
    """ORDERED from connectors.finance_store's ORDER_ROWS, LINE_ROWS, the history's CANCEL_EVENTS
    (EVENT_ROWS) and our delivered 997s (SENT_ROWS; other sets are ignored); with ``grocery``
    (finance_store.grocery_revisions: the order revisions an 875 or 876 made), the extra column ``ordered_as``
    naming the set each line's revision came as (null: an 850 or 860)."""
    heads = _with_requested(orders, requested)
    # our 997 for the 850's group: delivered sets answering its file, interchange and group
    fa = sent.filter(pc.is_in(sent["set_id"], value_set=pa.array(OUR_997)))
    fa = fa.group_by(["partner", "source_sha256", "answers_isa13", "answers_gs06"], use_threads=False).aggregate(
        [("sent_at", "min")]).rename_columns(["partner", "source_sha256", "isa13", "gs06", "fa_sent_at"])
    heads = heads.join(fa, ["partner", "source_sha256", "isa13", "gs06"], join_type="left outer", use_threads=False)
    heads = heads.select(["partner", "po_number", "po_date", "currency", "received_at", "requested_ship_date",
                          "fa_sent_at", "source_file", "isa13", "gs06", "st02",
                          *(["change_file"] if "change_file" in heads.column_names else [])])
    t = _sorted(_inner_lookup(lines, heads, _KEY), [("partner", "ascending"), ("po_number", "ascending"),
                                                    ("line_number", "ascending")])
    cancelled_at = _cancel_times(t, events)
    ended = pc.is_in(t["state"], value_set=pa.array(ENDED_LINES))
    out = pa.table({
        "partner": t["partner"], "po_number": t["po_number"], "line_number": t["line_number"],
        "line_id": t["line_id"], "sku": t["sku"],
        # the item the buyer ordered on a line that ships its substitute (sku); null on every other line
        "ordered_sku": _none_if_empty(t["ordered_sku"]) if "ordered_sku" in t.column_names else pa.nulls(
            t.num_rows, pa.string()),
        "unit": t["unit"],
        # the stored text read as decimals once per distinct value (a night's lines repeat a few dozen)
        "quantity": per_distinct(t["ordered"], lambda v: pc.cast(v, QTY)),
        "unit_price": per_distinct(t["unit_price"], lambda v: prices_as(v, PRICE)),  # (to 6 decimals: 0.00418)
        "line_status": t["state"],
        "cancelled_at": pc.if_else(ended, cancelled_at, pa.scalar(None, TIME)),
        "revision": pc.subtract(pc.fill_null(t["revision"], 1), 1),
        "po_date": t["po_date"], "requested_ship_date": t["requested_ship_date"], "received_at": t["received_at"],
        # a PO without CUR is stored with currency "": null here, so the reconciliation takes the partner's finance
        # currency for it ([finance] currency) instead of an empty one (a US retailer's lines, exceptions and amounts
        # at risk were reported without a currency, apart from its CUR-sending peers' in another total)
        "fa_sent_at": t["fa_sent_at"], "currency": _none_if_empty(t["currency"]),
        "file": t["source_file"], "isa13": t["isa13"], "gs06": t["gs06"], "st02": t["st02"],
    }).cast(ORDERED)
    ordered_as, changed_in = _ordered_as(t, grocery)
    if "change_file" in t.column_names:  # a revision an 860 made: its 850's file and envelope, and the 860's file
        # (the evidence named such a line's "860" by its 850's file alone: finance opened an 850 looking for an 860)
        by_860 = pc.and_(pc.greater(pc.fill_null(t["revision"], 1), 1),
                         pc.not_equal(pc.fill_null(t["change_file"], ""), ""))
        changed_in = pc.if_else(pc.is_valid(changed_in), changed_in,
                                pc.if_else(by_860, t["change_file"], pa.scalar(None, pa.string())))
    if pc.any(pc.is_valid(changed_in)).as_py():  # a line an 860 or 876 changed: its 850's (875's) file and the change's
        at = out.schema.get_field_index("file")
        out = out.set_column(at, out.schema.field(at), pc.if_else(
            pc.is_valid(changed_in), _changed_by(out["file"], changed_in), out["file"]))
    return out.append_column("balance_cancelled_at", _balance_times(t, events)).append_column(
        "ordered_as", ordered_as)


def _changed_by(files: pa.ChunkedArray | pa.Array, changed_in: pa.Array) -> pa.Array:
    """"<order's file> (changed by <change's file>)" per row (null where either is)."""
    return pc.binary_join_element_wise(files, pc.binary_join_element_wise(changed_in, ")", ""), " (changed by ")


def _ordered_as(t: pa.Table, grocery: pa.Table | None) -> tuple[pa.Array, pa.Array]:
    """Per line of ``t``: the grocer's set that made its revision ("875", "876"; grocery_revisions), else null; and
    the file of the 876 that made it (null for any other)."""
    if grocery is None or not grocery.num_rows:
        return pa.nulls(t.num_rows, pa.string()), pa.nulls(t.num_rows, pa.string())
    keys = pa.table({"partner": t["partner"], "po_number": t["po_number"],
                     "revision": pc.cast(pc.fill_null(t["revision"], 1), pa.int32()),
                     "_row": pa.array(np.arange(t.num_rows), pa.int64())})
    wanted = ["partner", "po_number", "revision", "set_id",
              *(["change_file"] if "change_file" in grocery.column_names else [])]
    joined = keys.join(grocery.select(wanted), ["partner", "po_number", "revision"], join_type="left outer",
                       use_threads=False).sort_by("_row")
    files = joined["change_file"].combine_chunks() if "change_file" in joined.column_names else pa.nulls(
        t.num_rows, pa.string())
    return joined["set_id"].combine_chunks(), files


def _balance_times(t: pa.Table, events: pa.Table) -> pa.Array:
    """Per line of ``t``: when the balance of its order was cancelled after shipment, the PO taking no back order
    (BALANCE_CANCELLED: the latest such event; null when none): the units it had not shipped by then are not owed
    (engine.line_match caps what was promised at what shipped). An extra column of ORDERED (consumers that select
    ORDERED's columns leave it)."""
    n = t.num_rows
    closed = events.filter(pc.is_in(events["event"], value_set=pa.array(BALANCE_CANCELLED))) if n else events
    if not n or not closed.num_rows:
        return pa.nulls(n, TIME)
    closed = closed.group_by(_KEY, use_threads=False).aggregate([("at", "max")]).rename_columns([*_KEY, "closed_at"])
    rows = t.select(_KEY).append_column("_row", pa.array(np.arange(n), pa.int64()))
    joined = rows.join(closed, _KEY, join_type="left outer", use_threads=False).sort_by("_row")
    return pc.cast(joined["closed_at"], TIME).combine_chunks()


MEMO_ORDERS = pa.schema([pa.field("partner", pa.string()), pa.field("po_number", pa.string())])


def memo_orders(orders: pa.Table, types: Mapping[str, Iterable[str]]) -> pa.Table:
    """MEMO_ORDERS: (partner, po_number) of the orders (connectors.finance_store ORDER_ROWS) whose BEG02 is one of
    their partner's memo types (``types``: partner -> its [fulfilment.invoice] memo_order_types): shipped on memo,
    billed by no 810 by agreement (engine.reconcile calls none of their lines shipped-not-invoiced)."""
    pairs = sorted({(p, t) for p, kinds in types.items() for t in kinds})
    if not pairs or not orders.num_rows or "order_type" not in orders.column_names:
        return MEMO_ORDERS.empty_table()
    key = pc.binary_join_element_wise(orders["partner"], pc.fill_null(orders["order_type"], ""), "\x1f")
    hit = pc.is_in(key, value_set=pa.array([f"{p}\x1f{t}" for p, t in pairs], pa.string()))
    return orders.filter(hit).select(["partner", "po_number"]).cast(MEMO_ORDERS)


def _none_if_empty(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """``values`` with each empty text null."""
    return pc.if_else(pc.equal(values, ""), pa.scalar(None, values.type), values)


def _lookup_key(t: pa.Table, keys: list[str]) -> pa.Array:
    """One text key per row of the ``keys`` columns (text), unambiguous whatever they hold: each but the
    last led by its length; null when one is null."""
    parts = []
    for k in keys[:-1]:
        parts += [pc.cast(pc.utf8_length(t[k]), pa.string()), t[k]]
    key = pc.binary_join_element_wise(*parts, t[keys[-1]], ":")
    return key.combine_chunks() if isinstance(key, pa.ChunkedArray) else key


def _inner_lookup(left: pa.Table, right: pa.Table, keys: list[str]) -> pa.Table:
    """The inner join of ``left`` with ``right`` on ``keys`` when ``right`` holds one row per key: a
    lookup of each left row's match (schemas.grouping.lookup), left's rows kept in their order (no hash
    join that shuffles them); a hash join otherwise. Columns: left's, then right's others."""
    if not left.num_rows or not right.num_rows:
        return left.join(right, keys, join_type="inner", use_threads=False)
    at = lookup([left[k] for k in keys], [right[k] for k in keys])
    if at is None:
        return left.join(right, keys, join_type="inner", use_threads=False)  # a key twice: the join's own way
    found = at >= 0
    if not found.all():
        left, at = left.filter(pa.array(found)), at[found]
    extra = right.drop_columns(keys).take(pa.array(at))
    return pa.Table.from_arrays([*left.columns, *extra.columns], names=[*left.column_names, *extra.column_names])


def _sorted(t: pa.Table, keys: list[tuple[str, str]]) -> pa.Table:
    """``t`` sorted by ``keys`` (stable); no copy (and no sort) when it already is."""
    return t if in_key_order(t, keys) else t.take(pc.sort_indices(t, sort_keys=keys))


def _cancel_times(t: pa.Table, events: pa.Table) -> pa.Array:
    """Per line of ``t``: when its order was cancelled (cancelled lines) or when the revision that left
    it out was made (deleted lines; else the latest revision's time)."""
    n = t.num_rows
    if not n or not events.num_rows:
        return pa.nulls(n, TIME)
    rows = t.select(["partner", "po_number", "revision"]).append_column("_row", pa.array(np.arange(n), pa.int64()))
    whole = events.filter(pc.is_in(events["event"], value_set=pa.array(ORDER_CANCELLED)))
    whole = whole.group_by(_KEY, use_threads=False).aggregate([("at", "max")]).rename_columns([*_KEY, "cancel_at"])
    revised = events.filter(pc.is_in(events["event"], value_set=pa.array(REVISED)))
    same = revised.group_by([*_KEY, "revision"], use_threads=False).aggregate([("at", "max")]).rename_columns(
        [*_KEY, "revision", "revised_at"])
    last = revised.group_by(_KEY, use_threads=False).aggregate([("at", "max")]).rename_columns([*_KEY, "last_at"])
    joined = rows.join(whole, _KEY, join_type="left outer", use_threads=False).join(
        same, [*_KEY, "revision"], join_type="left outer", use_threads=False)
    joined = joined.join(last, _KEY, join_type="left outer", use_threads=False).sort_by("_row")
    cancelled = pc.equal(t["state"], "cancelled")
    deleted_at = pc.coalesce(joined["revised_at"], joined["last_at"])
    return pc.if_else(cancelled, pc.coalesce(joined["cancel_at"], deleted_at),
                      pc.coalesce(deleted_at, joined["cancel_at"])).combine_chunks()


def acknowledged(documents: pa.Table, lines: pa.Table, echoes: pa.Table | None = None,
                 releases: Mapping[tuple[str, str], str] | None = None, *, answers: pa.Table | None = None,
                 sent: pa.Table | None = None) -> pa.Table:
    """ACKNOWLEDGED: every ACK segment of the delivered 855s and 865s (DOCUMENT_ROWS: partner, content,
    file, sent_at; read again here), each on the line its PO1 (POC) names: our line whose PO101 it
    echoes (the line number when the line had no PO101). Price: PO104 (POC06), else the line's
    current price; ACK02 absent: as ordered; ACK05 whatever its qualifier. ``echoes``: line_echoes(lines)
    when the caller has it already (it is the same for every input the lines are matched to).
    ``answers``: answer_rows(documents) when the caller has them (kept per document, flows.reconcile:
    a document is read once); ``documents`` then need not hold their content. ``sent``: the sets we
    delivered (SENT_ROWS), for the orders told apart by a reference (ref_keyed_answers)."""
    answers = answer_rows(documents) if answers is None else answers
    rows = _with_documents(answers, documents, ANSWER_ROWS.names[:-2])
    if not rows or not lines.num_rows:
        return ACKNOWLEDGED.empty_table()
    ours = echoes if echoes is not None else _echoes(lines)
    t = _inner_lookup(held_releases(ref_keyed_answers(_named_releases(pa.concat_tables(rows)), sent), lines,
                                    releases), ours, ECHO_KEYS)
    t = _refusals_of_changes_dropped(t, lines)
    t = _sorted(t, [("partner", "ascending"), ("po_number", "ascending"), ("line_number", "ascending"),
                    ("sent_at", "ascending"), ("_row", "ascending")])
    price = t["price"]
    if price.null_count:  # a PO104 (POC06) missing: the line's prices (text) read as money for those
        price = pc.coalesce(price, prices_as(t["ack_price"], PRICE), prices_as(t["unit_price"], PRICE))
    return pa.table({
        "partner": t["partner"], "po_number": t["po_number"], "line_number": t["line_number"],
        "doc_type": t["set_id"], "ack_code": t["ack_code"], "quantity": t["quantity"],
        "unit": pc.coalesce(t["ack_unit"], t["unit"]), "unit_price": price, "promised_date": t["promised_date"],
        "sent_at": t["sent_at"], "file": t["file"], "isa13": t["isa13"], "gs06": t["gs06"], "st02": t["st02"],
    }).cast(ACKNOWLEDGED)


# what csv_answer_rows reads out of each CSV acknowledgment: a function of the document and its partner's layout,
# kept per document (flows.reconcile: a document is read once, in the layout it was written in)
CSV_ROWS = pa.schema([
    *(pa.field(n, pa.string()) for n in ("partner", "po_number", "release", "csv_line_id", "csv_line_number",
                                         "ack_code")),
    pa.field("quantity", QTY), pa.field("ack_unit", pa.string()), pa.field("price", PRICE),
    pa.field("promised_date", pa.date32()), *_PLACE])


def _at_6(price: Decimal | None) -> Decimal | None:
    """A CSV acknowledgment's price as the reconciliation reads prices (to PRICE's 6 decimals: prices_as)."""
    return None if price is None else price.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


def csv_answer_rows(documents: pa.Table, layouts: Mapping[str, CsvAckSettings]) -> pa.Table:
    """CSV_ROWS: the rows of our delivered CSV acknowledgments (DOCUMENT_ROWS with their content), read back in
    their partner's layout (``layouts``: partner -> its CsvAckSettings; a partner without one: none), each as
    the ACKs an 855 would carry for its line (csv_parts), with the document it is in (document_id) and its
    row there (_seg)."""
    cols: dict[str, list] = {n: [] for n in CSV_ROWS.names}
    for partner, doc_id, content in zip(*(documents[c].to_pylist() for c in ("partner", "document_id", "content")),
                                        strict=True):
        layout = layouts.get(partner)
        if layout is None:
            continue
        for seg, r in enumerate(read_csv_ack(content, layout)):
            for code, qty in csv_parts(r):
                for name, value in (("partner", partner), ("po_number", r["po_number"]), ("release", None),
                                    ("csv_line_id", r["line_id"]), ("csv_line_number", r["line_number"]),
                                    ("ack_code", code), ("quantity", qty), ("ack_unit", r["unit"]),
                                    ("price", _at_6(r["unit_price"])), ("promised_date", r["promised_date"]),
                                    ("document_id", doc_id), ("_seg", seg)):
                    cols[name].append(value)
    return pa.table(cols, schema=CSV_ROWS)


def csv_acknowledged(documents: pa.Table, lines: pa.Table, layouts: Mapping[str, CsvAckSettings] | None = None,
                     echoes: pa.Table | None = None, releases: Mapping[tuple[str, str], str] | None = None, *,
                     rows: pa.Table | None = None) -> pa.Table:
    """ACKNOWLEDGED rows of the CSV acknowledgments we delivered in place of an 855 (DOCUMENT_ROWS: the answers
    to orders, not intake's refusals of rows it did not take), read back in the partner's layout (csv_answer_rows
    with ``layouts``; ``rows``: those rows when the caller has them, kept per document: ``documents`` then need
    not hold their content) as an 855's ACKs are: each row on our line its line id echoes (its line number when
    the layout gives no line id). A row is what its status and quantities say: accepted quantity under its
    status (IA when it is BP or IB), the backordered balance as IB, a refusal (IR ID IH IW) with the quantity
    ordered; no quantity column: as ordered. Price: its unit price, else the line's; promised date: the row's
    (a BP row names one date, the first part's: its backordered balance is held to it too). doc_type "CSV";
    no ISA13/GS06/ST02."""
    rows = csv_answer_rows(documents, layouts or {}) if rows is None else rows
    if not rows.num_rows or not lines.num_rows:
        return ACKNOWLEDGED.empty_table()
    t = _inner_lookup(rows, documents.select(["document_id", "file", "sent_at"]), ["document_id"])
    if not t.num_rows:
        return ACKNOWLEDGED.empty_table()
    t = _sorted(t, [("document_id", "ascending"), ("_seg", "ascending")])
    t = t.append_column("_row", pa.array(np.arange(t.num_rows), pa.int64()))
    t = held_releases(t, lines, releases)
    ours = echoes if echoes is not None else _echoes(lines)
    by_id = pc.is_valid(t["csv_line_id"])
    named = t.filter(by_id)
    named = _inner_lookup(named.append_column("echo", named["csv_line_id"]), ours, ECHO_KEYS)
    numbered = lines.select(["partner", "po_number", "line_number", "unit", "unit_price", "ack_price"])
    numbered = numbered.append_column("echo", pc.cast(numbered["line_number"], pa.string()))
    unnamed = t.filter(pc.invert(by_id))
    unnamed = _inner_lookup(unnamed.append_column("echo", unnamed["csv_line_number"]), numbered, ECHO_KEYS)
    t = pa.concat_tables([named.select(unnamed.column_names), unnamed]) if unnamed.num_rows else named
    if not t.num_rows:
        return ACKNOWLEDGED.empty_table()
    t = _sorted(t, [("partner", "ascending"), ("po_number", "ascending"), ("line_number", "ascending"),
                    ("sent_at", "ascending"), ("_row", "ascending")])
    price = pc.coalesce(t["price"], prices_as(t["ack_price"], PRICE), prices_as(t["unit_price"], PRICE))
    n = t.num_rows
    return pa.table({
        "partner": t["partner"], "po_number": t["po_number"], "line_number": t["line_number"],
        "doc_type": pa.repeat(pa.scalar("CSV", pa.string()), n), "ack_code": t["ack_code"], "quantity": t["quantity"],
        "unit": pc.coalesce(t["ack_unit"], t["unit"]), "unit_price": price, "promised_date": t["promised_date"],
        "sent_at": t["sent_at"], "file": t["file"], "isa13": pa.nulls(n, pa.string()),
        "gs06": pa.nulls(n, pa.string()), "st02": pa.nulls(n, pa.string()),
    }).cast(ACKNOWLEDGED)


_CSV_REFUSALS = ("IR", "ID", "IH", "IW")  # a CSV row that accepts nothing (engine.csv_ack's statuses)


def csv_parts(row: Mapping[str, object]) -> list[tuple[str, Decimal | None]]:
    """(ACK01, ACK02) of one CSV acknowledgment row (csv_acknowledged): what an 855 says for that line."""
    status = row["status"]
    accepted, backordered, ordered = row["quantity_accepted"], row["quantity_backordered"], row["quantity_ordered"]
    if status is None:  # a layout without the status: told by the quantities
        status = "IA" if accepted else "IB" if backordered else "IR" if accepted is not None else "IA"
    if status in _CSV_REFUSALS:
        return [(status, ordered)]
    if accepted is None and backordered is None:
        return [("IB" if status == "IB" else "IA" if status == "BP" else status, None)]  # as ordered
    parts = []
    if accepted:
        parts.append(("IA" if status in ("BP", "IB") else status, accepted))
    if backordered:
        parts.append(("IB", backordered))
    return parts or [(status, Decimal(0))]


def _refusals_of_changes_dropped(t: pa.Table, lines: pa.Table) -> pa.Table:
    """An 865's IR answers a change we refused (a price on invoiced units, a decrease below what shipped, an
    unknown unit ...): the line stands as acknowledged before, so that ACK is no acknowledgment of the
    line (it used to count 0, and the line's shipments became an over-shipment). An IR on a line we
    rejected (a changed or added line the rules refused: its state is rejected) stays: 0 acknowledged."""
    refused = pc.fill_null(pc.and_(pc.equal(t["set_id"], "865"), pc.equal(t["ack_code"], "IR")), False)
    if not pc.any(refused).as_py():
        return t
    keys = ["partner", "po_number", "_n"]

    def keyed(table: pa.Table) -> pa.Array:
        return _lookup_key(pa.table({"partner": table["partner"], "po_number": table["po_number"],
                                     "_n": pc.cast(table["line_number"], pa.string())}), keys)

    rejected = lines.filter(pc.fill_null(pc.equal(lines["state"], "rejected"), False))
    on_rejected = pc.fill_null(pc.is_in(keyed(t), value_set=keyed(rejected)), False)
    return t.filter(pc.invert(pc.and_(refused, pc.invert(on_rejected))))


def _echoes(lines: pa.Table) -> pa.Table:
    """Our lines by the id our documents echo for them: the PO101 as sent, else the line number (the
    lowest line when a PO repeats a PO101)."""
    ours = lines.select(["partner", "po_number", "line_number", "line_id", "unit", "unit_price", "ack_price"])
    number = pc.cast(ours["line_number"], pa.string())
    echo = pc.if_else(pc.equal(pc.fill_null(ours["line_id"], ""), ""), number, ours["line_id"])
    ours = ours.append_column("echo", echo)
    if not ours.num_rows or _numbered_in_order(ours, number) or \
            pc.count_distinct(_lookup_key(ours, ECHO_KEYS)).as_py() == ours.num_rows:  # unambiguous keys
        return ours  # no PO repeats a PO101: every line is its own first
    first = ours.group_by(["partner", "po_number", "echo"], use_threads=False).aggregate([("line_number", "min")])
    first = first.rename_columns(["partner", "po_number", "echo", "line_number"])
    return ours.join(first, ["partner", "po_number", "echo", "line_number"], join_type="inner", use_threads=False)


def _numbered_in_order(ours: pa.Table, number: pa.Array | pa.ChunkedArray) -> bool:
    """Whether ``ours`` (with its echo column) holds one row per echo key for a reason cheaper to see
    than hashing every key: each line echoes its own line number (``number``: the line numbers as text)
    and the rows stand in (partner, po_number, line_number) order with no line twice (as the store
    reads them). False leaves the question to a count of the distinct keys."""
    n = ours.num_rows
    if n < 2 or any(ours[c].null_count for c in ("partner", "po_number", "line_number")):
        return False
    if not pc.all(pc.equal(ours["echo"], number)).as_py():
        return False
    prev, this = ours.slice(0, n - 1), ours.slice(1)
    same_po = pc.and_(pc.equal(prev["partner"], this["partner"]), pc.equal(prev["po_number"], this["po_number"]))
    later_po = pc.or_(pc.less(prev["partner"], this["partner"]), pc.and_(
        pc.equal(prev["partner"], this["partner"]), pc.less(prev["po_number"], this["po_number"])))
    after = pc.or_(later_po, pc.and_(same_po, pc.less(prev["line_number"], this["line_number"])))
    return bool(pc.all(after).as_py())


def line_echoes(lines: pa.Table) -> pa.Table:
    """Our lines by the id our documents echo for them (see _echoes), computed once for acknowledged,
    shipped and invoiced."""
    return _echoes(lines)


def _recorded(recorded: pa.Table, lines: pa.Table, doc_type: str, echoes: pa.Table | None,
              releases: Mapping[tuple[str, str], str] | None = None) -> pa.Table:
    t = held_releases(_kept(recorded, pc.equal(recorded["doc_type"], doc_type)), lines, releases)
    t = t.append_column("echo", pc.coalesce(t["line_id"], pa.scalar("")))
    if echoes is not None:
        ours = echoes if t.num_rows else echoes.slice(0, 0)
    else:
        ours = _echoes(lines if t.num_rows else lines.slice(0, 0))  # nothing recorded: no line to name
    return _sorted(_inner_lookup(t, ours.select(["partner", "po_number", "echo", "line_number"]), ECHO_KEYS),
                   [("partner", "ascending"), ("po_number", "ascending"), ("line_number", "ascending"),
                    ("sent_at", "ascending"), ("position", "ascending")])


def _kept(t: pa.Table, mask: pa.ChunkedArray | pa.Array) -> pa.Table:
    """t.filter(mask); a slice (no copy) when the rows kept stand together (one document type's lines
    as the store reads them)."""
    rows = np.flatnonzero(pc.fill_null(mask, False).to_numpy(zero_copy_only=False))
    if len(rows) and rows[-1] - rows[0] + 1 == len(rows):
        return t.slice(int(rows[0]), len(rows))
    return t.filter(mask)


def shipped(recorded: pa.Table, lines: pa.Table, echoes: pa.Table | None = None,
            releases: Mapping[tuple[str, str], str] | None = None, services: Iterable[str] = (),
            first_sent: pa.Table | None = None) -> pa.Table:
    """SHIPPED from the recorded 856 lines (RECORDED_LINES) on the order lines they name (``echoes``:
    line_echoes(lines), when the caller has it). ``services``: the skus of service items (items.csv kind): a line
    of one is delivered with a shipment but on no 856, so its rows name no 856 (file, envelope and sent time null:
    neither that 856's value nor its evidence counts them). ``first_sent``: (partner, isa13, gs06, file,
    first_sent_at) of the documents sent again under new numbers (the store's first_sendings): a line carrying a
    resend's numbers and file (and its time as sent_at) has its asn_sent_at the first sending's, the time the ASN SLA
    measures."""
    t = _recorded(recorded, lines, "856", echoes, releases)
    out = pa.table({
        "partner": t["partner"], "po_number": t["po_number"], "line_number": t["line_number"],
        "shipment_id": t["document_ref"], "shipped_at": pc.coalesce(t["shipped_at"], t["sent_at"]),
        "quantity": t["quantity"], "unit": t["unit"], "cartons": pa.nulls(t.num_rows, pa.int32()),
        "expected_delivery_at": t["expected_delivery_at"], "asn_sent_at": _first_sent(t, first_sent),
        "file": t["file"], "isa13": t["isa13"], "gs06": t["gs06"], "st02": t["st02"],
    }).cast(SHIPPED)
    return _without_856(out, lines, frozenset(services)) if services and out.num_rows else out


RECORDED_RESENT = pa.schema([("partner", pa.string()), ("isa13", pa.string()), ("gs06", pa.string()),
                             ("file", pa.string()), ("first_sent_at", TIME)])  # as the store's first_sendings


def recorded_resends(recorded: pa.Table) -> tuple[pa.Table, pa.Table]:
    """The recorded lines (RECORDED_LINES, `orderbridge record`) with each 856 another system of ours sent again
    taken as the night takes a resend of its own (docs/state-store.md, resends): a shipment (partner, BSN02) recorded
    from more than one file or envelope with the same lines (PO, line, quantity, unit) is one document, its lines
    the latest copy's (its numbers, file and time: one envelope), and the copy is timed by the first sending.
    Returns (the recorded lines without the earlier copies' lines, RECORDED_RESENT: (partner, isa13, gs06, file,
    first_sent_at) of each later copy kept, read with the store's first_sendings). A copy whose lines differ (a
    corrected 856 under the same BSN02) is not a resend and stays, as do recorded 810s: the same invoice number
    billed twice is a duplicate invoice to catch."""
    empty = RECORDED_RESENT.empty_table()
    if not recorded.num_rows:
        return recorded, empty
    asn = pc.equal(recorded["doc_type"], "856")
    if not pc.any(asn).as_py():
        return recorded, empty
    rows = recorded.select(["partner", "document_ref", "sha256", "isa13", "gs06", "st02", "file", "sent_at",
                            "po_number", "line_id", "quantity", "unit"]).to_pylist()
    flags = asn.to_pylist() if isinstance(asn, pa.Array) else asn.combine_chunks().to_pylist()
    copies: dict[tuple, dict] = {}  # (partner, BSN02, sha256, envelope) -> its rows and lines, in recorded order
    for i, (r, is_asn) in enumerate(zip(rows, flags, strict=True)):
        if is_asn:
            key = (r["partner"], r["document_ref"], r["sha256"], r["isa13"], r["gs06"], r["st02"])
            c = copies.setdefault(key, {"rows": [], "lines": [], "first": r})
            c["rows"].append(i)
            c["lines"].append((r["po_number"], r["line_id"] or "", str(r["quantity"]), r["unit"] or ""))
    alike: dict[tuple, list[dict]] = {}  # (partner, BSN02, its lines) -> its copies
    for (partner, ref, *_), c in copies.items():
        alike.setdefault((partner, ref, tuple(sorted(c["lines"]))), []).append(c)
    drop, resent = [], []
    for group in alike.values():
        if len(group) < 2:
            continue
        at = [c["first"]["sent_at"] for c in group]
        order = sorted(range(len(group)), key=lambda k: (at[k] is None, at[k] or 0, k))  # as sent, else recorded
        first, last = group[order[0]]["first"], group[order[-1]]["first"]
        drop += [i for k in order[:-1] for i in group[k]["rows"]]
        resent.append({"partner": last["partner"], "isa13": last["isa13"], "gs06": last["gs06"],
                       "file": last["file"], "first_sent_at": first["sent_at"]})
    if not drop:
        return recorded, empty
    keep = np.ones(recorded.num_rows, bool)
    keep[drop] = False
    return recorded.filter(pa.array(keep)), pa.Table.from_pylist(resent, schema=RECORDED_RESENT)


def copies_taken_as_resends(recorded: pa.Table, sha256: str) -> list[tuple[str, str, str, tuple[str, ...]]]:
    """Of one partner's recorded lines (RECORDED_LINES), the 856s of the file ``sha256`` that recorded_resends takes
    with a copy recorded from another file or envelope as one document (sent again): (BSN02, its ISA13, its GS06,
    the other copies' files), by BSN02; the file's copy is the one kept (the latest sending) or one left out as
    an earlier sending."""
    if not recorded.num_rows:
        return []
    kept, resent = recorded_resends(recorded)
    cols = ["doc_type", "document_ref", "sha256", "isa13", "gs06", "file"]
    rows = [r for r in recorded.select(cols).to_pylist() if r["doc_type"] == "856"]
    mine = {(r["document_ref"], r["isa13"], r["gs06"], r["file"]) for r in rows if r["sha256"] == sha256}
    still = {(r["document_ref"], r["isa13"], r["gs06"], r["file"]) for r in kept.select(cols).to_pylist()
             if r["sha256"] == sha256 and r["doc_type"] == "856"}
    kept_copies = {(r["isa13"], r["gs06"], r["file"]) for r in resent.to_pylist()}
    out = []
    for ref, isa13, gs06, file in sorted(mine):
        if (ref, isa13, gs06, file) in still and (isa13, gs06, file) not in kept_copies:
            continue  # neither left out as an earlier sending nor kept as the latest of several: no resend
        others = tuple(sorted({r["file"] or "(no file name)" for r in rows if r["document_ref"] == ref
                               and (r["sha256"], r["isa13"], r["gs06"]) != (sha256, isa13, gs06)}))
        if others:
            out.append((ref, isa13, gs06, others))
    return out


def _first_sent(t: pa.Table, first_sent: pa.Table | None) -> pa.ChunkedArray | pa.Array:
    """``t``'s sent_at, the first sending's time where a row's (partner, isa13, gs06, file) are a renumbered
    resend's."""
    if first_sent is None or not first_sent.num_rows or not t.num_rows:
        return t["sent_at"]

    def keys(x: pa.Table):
        return pc.binary_join_element_wise(x["partner"], *(pc.fill_null(x[c], "") for c in ("isa13", "gs06", "file")),
                                           "|")

    at = pc.index_in(keys(t), value_set=keys(first_sent).combine_chunks())
    first = first_sent["first_sent_at"].combine_chunks().cast(t.schema.field("sent_at").type).take(at)
    return pc.if_else(pc.is_valid(at), first, t["sent_at"])


def _without_856(shipped_rows: pa.Table, lines: pa.Table, services: frozenset[str]) -> pa.Table:
    """SHIPPED ``shipped_rows`` with the 856 columns of the rows of a service line (``lines``' sku in ``services``)
    null."""
    hit = pc.fill_null(pc.is_in(lines["sku"], value_set=pa.array(sorted(services), pa.string())), False)
    if not pc.any(hit).as_py():
        return shipped_rows
    mine = lines.filter(hit)

    def keys(t: pa.Table):
        return pc.binary_join_element_wise(t["partner"], t["po_number"], pc.cast(t["line_number"], pa.string()), "|")

    mask = pc.fill_null(pc.is_in(keys(shipped_rows), value_set=pa.array(keys(mine).to_pylist(), pa.string())), False)
    if not pc.any(mask).as_py():
        return shipped_rows
    for name in ("asn_sent_at", "file", "isa13", "gs06", "st02"):
        at = shipped_rows.schema.get_field_index(name)
        field = shipped_rows.schema.field(name)
        shipped_rows = shipped_rows.set_column(at, field, pc.if_else(mask, pa.scalar(None, field.type),
                                                                     shipped_rows[name]))
    return shipped_rows


def invoiced(recorded: pa.Table, lines: pa.Table, echoes: pa.Table | None = None,
             releases: Mapping[tuple[str, str], str] | None = None, *, amounts: pa.Table | None = None,
             first_sent: pa.Table | None = None) -> pa.Table:
    """INVOICED from the recorded 810 lines (RECORDED_LINES) on the order lines they name (``echoes``:
    line_echoes(lines), when the caller has it). An 810 naming no shipment (ours billed per order: stored
    with shipment id "") has a null shipment_id: a second per-order 810 of a PO, for units that shipped
    after its first, bills no (line, shipment) twice (engine.line_match's duplicates). With ``amounts``
    (connectors.state invoice_amounts): with_amounts' ``amount`` column too, a recorded line's own amount
    (RECORDED_LINES amount: an IT1 billed by weight, its QTY 39 the cases) where ours has none. With ``first_sent``
    (the store's first_sendings, as shipped takes it): INVOICED_FIRST_SENT too, each line's 810's first sending (a
    resend's lines carry its numbers, file and sent_at), what the cycle time shipped -> invoiced measures."""
    t = _recorded(recorded, lines, "810", echoes, releases)
    shipment = t["shipment_id"]
    out = pa.table({
        "partner": t["partner"], "po_number": t["po_number"], "line_number": t["line_number"],
        "invoice_number": t["document_ref"], "invoice_date": pc.coalesce(t["doc_date"], pc.cast(t["sent_at"],
                                                                                               pa.date32())),
        "shipment_id": pc.if_else(pc.equal(shipment, ""), pa.scalar(None, shipment.type), shipment),
        "quantity": t["quantity"], "unit": t["unit"], "unit_price": t["unit_price"],
        "sent_at": t["sent_at"], "file": t["file"], "isa13": t["isa13"], "gs06": t["gs06"], "st02": t["st02"],
    }).cast(INVOICED)
    if first_sent is not None:
        out = out.append_column(INVOICED_FIRST_SENT, pc.cast(_first_sent(t, first_sent), INVOICED_FIRST_SENT.type))
    if amounts is None:
        return out
    return with_amounts(out, amounts, t["amount"] if "amount" in t.column_names else None)


def with_amounts(invoiced: pa.Table, amounts: pa.Table, recorded: pa.Array | pa.ChunkedArray | None = None
                 ) -> pa.Table:
    """INVOICED with an ``amount`` column: the value each of our invoice lines billed (connectors.state
    invoice_amounts, by partner, invoice number and line number; a catch-weight line's is its net weight x its
    price per pound, its quantity being its cases), null for the lines of 810s other systems sent (their value
    is quantity x price) but where ``recorded`` (per row: what such an 810 billed by weight) has one.
    What the 810's TDS is tied to (engine.invoice_totals)."""
    theirs = pa.nulls(invoiced.num_rows, MONEY) if recorded is None else recorded
    if isinstance(theirs, pa.ChunkedArray):
        theirs = theirs.combine_chunks()
    theirs = theirs.cast(MONEY)
    if not invoiced.num_rows or not amounts.num_rows:
        return invoiced.append_column("amount", theirs)

    names = ["partner", "invoice_number", "line_number"]
    row = lookup([invoiced[k] for k in names], [amounts[k] for k in names])  # the keys' codes, no text key built
    if row is not None:  # each line of ours once (its invoice number and line number: a primary key)
        found = row >= 0
        ours = amounts["amount"].take(pa.array(np.where(found, row, 0), pa.int64()))
        mine = ours if found.all() else pc.if_else(pa.array(found), ours, pa.scalar(None, ours.type))
        return invoiced.append_column("amount", pc.coalesce(mine.cast(MONEY), theirs))

    def key(t: pa.Table) -> pa.Array:
        return _lookup_key(t.set_column(t.schema.get_field_index("line_number"), "line_number",
                                        pc.cast(t["line_number"], pa.string())), names)

    at = pc.index_in(key(invoiced), value_set=key(amounts))
    return invoiced.append_column("amount", pc.coalesce(pc.take(amounts["amount"], at).cast(MONEY), theirs))


CATCH_COLUMNS = ["partner", "po_number", "line_number", "unit", "price_basis"]  # what catch_weight_lines reads
# and what acknowledged_in_units reads of a line taken in by weight (rules.business.by_weight)
WEIGHED_COLUMNS = [*CATCH_COLUMNS, "weight_per_unit"]


def weighed_lines(order_tables: Iterable[pa.Table]) -> pa.Table:
    """(partner, po_number, line_number, unit, weight_per_unit) of each line of the stored ORDER_LINES tables taken
    in by weight (480 LB as 10 CA of 48 LB: rules.business.by_weight.as_cases); none for other lines."""
    picked = [t.filter(pc.is_valid(t["weight_per_unit"])).select(
        ["partner", "po_number", "line_number", "unit", "weight_per_unit"])
        for t in order_tables if "weight_per_unit" in t.column_names and t.num_rows]
    picked = [t for t in picked if t.num_rows]
    if not picked:
        return pa.table({"partner": pa.array([], pa.string()), "po_number": pa.array([], pa.string()),
                         "line_number": pa.array([], pa.int32()), "unit": pa.array([], pa.string()),
                         "weight_per_unit": pa.array([], QTY)})
    return pa.concat_tables(picked)


def acknowledged_in_units(acks: pa.Table, weighed: pa.Table) -> pa.Table:
    """ACKNOWLEDGED with the ACKs of a line taken in by weight (``weighed``: weighed_lines) in the line's own unit:
    our 855 answers 480 LB (its ACK in the pounds the buyer sent) for the 10 CA we allocate and ship, so the ACK
    counts 480 / 48 = 10 CA, as the line's shipments and invoices do (it compared 480 with the 10 shipped). The ACK
    of a line in a weight of an item counted in another (600 KG of wire counted in pounds) counts the whole pounds
    that cover it (schemas.units.covering: 1,323 LB), as we took it in, reserved and shipped it."""
    from schemas.units import KILOGRAMS_PER, covering

    if not weighed.num_rows or not acks.num_rows:
        return acks
    per = {(p, po, int(n)): (u, w) for p, po, n, u, w in zip(*(weighed[c].to_pylist() for c in (
        "partner", "po_number", "line_number", "unit", "weight_per_unit")), strict=True)}
    keys = zip(*(acks[c].to_pylist() for c in ("partner", "po_number", "line_number")), strict=True)
    quantity, unit = acks["quantity"].to_pylist(), acks["unit"].to_pylist()
    changed = False
    for i, (p, po, n) in enumerate(keys):
        found = per.get((p, po, int(n))) if n is not None else None
        if found is None or unit[i] == found[0]:
            continue
        own, weight = found
        if quantity[i] is not None and own in KILOGRAMS_PER and unit[i] in KILOGRAMS_PER:  # by definition: the
            quantity[i] = covering(quantity[i], unit[i], own)  # whole pounds that cover the KG acknowledged
        elif quantity[i] is not None and weight:
            quantity[i] = (quantity[i] / weight).quantize(Decimal("0.0001"))
        unit[i], changed = own, True
    if not changed:
        return acks
    acks = acks.set_column(acks.schema.get_field_index("quantity"), acks.schema.field("quantity"),
                           pa.array(quantity, acks.schema.field("quantity").type))
    return acks.set_column(acks.schema.get_field_index("unit"), acks.schema.field("unit"),
                           pa.array(unit, acks.schema.field("unit").type))


def catch_weight_lines(order_tables: Iterable[pa.Table]) -> pa.Table:
    """(partner, po_number, line_number, price_basis) of each catch-weight line of the stored ORDERS tables
    (schemas.units.catch_weight: cases priced per pound, kilogram ...): engine.reconcile values them by their
    net weight shipped, never by their cases x their price per pound."""
    from schemas.units import PRICE_PER_WEIGHT, catch_weight

    out: set[tuple] = set()
    for t in order_tables:
        if "price_basis" not in t.column_names or not t.num_rows:
            continue
        t = t.filter(pc.fill_null(pc.is_in(t["price_basis"], value_set=pa.array(list(PRICE_PER_WEIGHT))), False))
        for p, po, n, unit, basis in zip(*(t[c].to_pylist() for c in CATCH_COLUMNS), strict=True):
            if catch_weight(basis, unit):
                out.add((p, po, int(n), basis))
    rows = sorted(out)
    return pa.table({"partner": pa.array([r[0] for r in rows], pa.string()),
                     "po_number": pa.array([r[1] for r in rows], pa.string()),
                     "line_number": pa.array([r[2] for r in rows], pa.int64()),
                     "price_basis": pa.array([r[3] for r in rows], pa.string())})


def with_weights(shipped: pa.Table, weights: Iterable[tuple], catch: pa.Table | None = None) -> pa.Table:
    """SHIPPED with a ``net_weight`` column: each of our shipped lines' net weight (``weights``: (partner, shipment id,
    PO, line number, net weight or None, its unit) of the catch-weight lines, connectors.state net_weights, in the
    order recorded), null elsewhere (a line not weighed, a recorded 856 of another system). A weight is in its
    line's price's unit (``catch``: catch_weight_lines' price basis), each row converted on its own as billing bills
    it (schemas.units.weights_in: 19.2 KG at a price per pound is 42.3288 LB; a unit that is no weight: null), so
    the rows of a line add up to what its 810 billed, to the cent. A line on several rows of one shipment (each case
    or carton weighed apart) has a weight per row: the rows of a line take its weights in the order both were
    recorded, never one row's weight for all of them. A row of a catch-weight line shipped in a weight itself (LB of
    a KG line taken in by definition: rules.business.by_weight.as_cases) weighs its quantity, converted so (weight_in:
    1,323 LB at a price per KG is 600.1027 KG), where no weight of it is recorded."""
    from schemas.units import KILOGRAMS_PER, PRICE_PER_MEASURE, weight_in, weights_in

    measures = {} if catch is None else {
        (p, po, int(n)): (PRICE_PER_MEASURE.get(b) or ("",))[0] for p, po, n, b in zip(
            *(catch[c].to_pylist() for c in ("partner", "po_number", "line_number", "price_basis")), strict=True)}
    known: dict[tuple, list] = {}
    for p, s, po, n, w, unit in weights:
        measure = measures.get((p, po, int(n)), unit)
        # each row on its own, as billing converts it (schemas.units.weights_in / billed_weight): the same cent
        known.setdefault((p, s, po, int(n)), []).extend(weights_in(((w, unit),), measure))
    by_weight = shipped.num_rows > 0 and bool(measures) and bool(pc.any(pc.fill_null(pc.is_in(
        shipped["unit"], value_set=pa.array(list(KILOGRAMS_PER), pa.string())), False)).as_py())
    if not by_weight and (not any(w is not None for ws in known.values() for w in ws) or not shipped.num_rows):
        return shipped.append_column("net_weight", pa.nulls(shipped.num_rows, MONEY))
    keys = zip(*(shipped[c].to_pylist() for c in ("partner", "shipment_id", "po_number", "line_number")), strict=True)
    quantities = shipped["quantity"].to_pylist() if by_weight else [None] * shipped.num_rows
    units = shipped["unit"].to_pylist() if by_weight else [None] * shipped.num_rows
    taken: dict[tuple, int] = {}
    out = []
    for k, q, unit in zip(keys, quantities, units, strict=True):
        i = taken[k] = taken.get(k, -1) + 1
        ws = known.get(k, ())
        weight = ws[i] if i < len(ws) else None
        measure = measures.get((k[0], k[2], int(k[3]))) if unit in KILOGRAMS_PER and q is not None else None
        out.append(weight_in(q, unit, measure) if weight is None and measure else weight)
    return shipped.append_column("net_weight", pa.array(out, MONEY))


def unknown_recorded(recorded: pa.Table, lines: pa.Table) -> list[Finding]:
    """RECORDED_LINE_UNKNOWN for each recorded line that names no line of an order we hold."""
    if not recorded.num_rows:
        return []
    recorded = held_releases(recorded, lines)
    t = recorded.append_column("echo", pc.coalesce(recorded["line_id"], pa.scalar("")))
    known = _echoes(lines).select(["partner", "po_number", "echo"])
    known = known.append_column("_known", pa.array([True] * known.num_rows, pa.bool_()))
    t = t.join(known, ["partner", "po_number", "echo"], join_type="left outer", use_threads=False).sort_by("position")
    out = []
    for r in t.filter(pc.is_null(t["_known"])).to_pylist():
        what = "IT1" if r["doc_type"] == "810" else "SN1"
        out.append(finding("RECORDED_LINE_UNKNOWN", f"{r['doc_type']} {r['document_ref']} names PO {r['po_number']} "
                           f"line {r['line_id'] or '(none)'}, which {r['partner']} never ordered from us; kept, not "
                           "reconciled.", file=r["file"], isa13=r["isa13"] or "", gs06=r["gs06"] or "",
                           st02=r["st02"] or "", seg=what, file_segment=r["position"] + 1,
                           value=r["line_id"]))
    return out


def _sets_read(docs: pa.Table, set_ids) -> tuple:
    """The segments of our stored documents ``docs`` (their ``content``) and their sets of ``set_ids``:
    (elements, rows_of, sets, starts), each set (ISA13, GS06, ST02, ST01, first row, last row); ``starts``:
    the row each document's segments start at."""
    content = docs["content"]
    if isinstance(content, pa.ChunkedArray):
        content = content.chunk(0) if content.num_chunks == 1 else content.combine_chunks()
    read = _plain_segments(content)
    if read is None:  # not plain runs of our own shape: the X12 reader decides, as it reads anything
        read = _read_each(content)
    elements, rows_of, sets, starts = read
    return elements, rows_of, [s for s in sets if s[3] in set_ids], starts


def _read_each(content: pa.BinaryArray) -> tuple:
    """The X12 reader's parse of each document, numbered on as one read of them all: (elements, rows_of,
    sets, starts) as _plain_segments gives them."""
    elements, finders, sets, starts = [], [], [], []
    at = 0
    for data in content.to_pylist():
        parsed = read_interchanges(data)
        rows = parsed.segments.elements
        rows = rows.combine_chunks() if isinstance(rows, pa.ChunkedArray) else rows
        starts.append(at)
        elements.append(rows)
        finders.append((parsed.segments.rows_of, at))
        sets += [(ic.control_number, g.control_number, ts.control_number, ts.set_id, ts.start + at, ts.end + at)
                 for ic in parsed.interchanges for g in ic.groups for ts in g.transactions]
        at += len(rows)

    def rows_of(seg_id: str) -> np.ndarray:
        found = [np.asarray(find(seg_id), np.int64) + base for find, base in finders]
        return np.concatenate(found) if found else np.empty(0, np.int64)

    joined = pa.concat_arrays(elements) if elements else pa.array([], pa.list_(pa.string()))
    return joined, rows_of, sets, np.array(starts, np.int64)


def _documents_of(starts: np.ndarray, rows: np.ndarray, docs: pa.Table) -> tuple[pa.Array, pa.Array]:
    """(document_id, _seg) of segment ``rows``: the document each is in (``starts``: _sets_read's) and its
    place there."""
    doc = np.searchsorted(starts, rows, side="right") - 1
    return (docs["document_id"].take(pa.array(doc, pa.int64())),
            pa.array(np.asarray(rows, np.int64) - starts[doc], pa.int64()))


def _in_sets(starts: np.ndarray, ends: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ``rows`` (sorted) inside a set (first row ``starts``, last ``ends``), and the set each is in."""
    at = np.searchsorted(starts, rows, side="right") - 1
    inside = (at >= 0) & (rows <= ends[np.maximum(at, 0)])
    return rows[inside], at[inside]


def _ack_rows(partner: str, docs: pa.Table) -> pa.Table:
    """One partner's ACK segments with the set, PO and PO1/POC line id they belong to, and their
    document's file and delivery time (by ISA13); _row: the segment's row in one read of them all."""
    t = _ack_segments(partner, docs)
    if not t.num_rows:
        return t
    return _inner_lookup(t.drop_columns(["document_id", "_seg"]), docs.select(["isa13", "file", "sent_at"]),
                         ["isa13"])


def _ack_segments(partner: str, docs: pa.Table) -> pa.Table:
    """_ack_rows' rows before their document's file and time, with the document each is in (document_id)
    and its place there (_seg)."""
    elements, rows_of, sets, doc_starts = _sets_read(docs, ANSWERS)
    acks = rows_of("ACK")
    if not sets or not len(acks):
        return pa.table({})
    starts = np.array([x[4] for x in sets], np.int64)
    ends = np.array([x[5] for x in sets], np.int64)
    acks, set_of = _in_sets(starts, ends, acks)
    heads = np.sort(np.concatenate([rows_of("BAK"), rows_of("BCA")]))
    head_of = np.searchsorted(heads, starts, side="left")  # the first header after each ST
    has_head = head_of < len(heads)
    po_rows = np.where(has_head, heads[np.minimum(head_of, max(len(heads) - 1, 0))], 0) if len(heads) else starts
    po_numbers = _element_of(elements, po_rows, 3) if len(heads) else pa.nulls(len(sets), pa.string())
    releases = pc.if_else(pa.array([s[3] == "855" for s in sets]), _element_of(elements, po_rows, 5),
                          _element_of(elements, po_rows, 4)) if len(heads) else pa.nulls(len(sets), pa.string())
    poc = rows_of("POC")  # an 865's line: price POC06; a PO1's: PO104
    items = np.sort(np.concatenate([rows_of("PO1"), poc]))
    item_of = np.searchsorted(items, acks, side="right") - 1
    has_item = (item_of >= 0) & (items[np.maximum(item_of, 0)] >= starts[set_of]) if len(items) else \
        np.zeros(len(acks), bool)
    acks, set_of, item_rows = acks[has_item], set_of[has_item], items[np.maximum(item_of, 0)][has_item]

    def ack_el(k: int) -> pa.Array:
        return _element_of(elements, acks, k)

    def item_el(k: int) -> pa.Array:
        return _element_of(elements, item_rows, k)

    price = pc.if_else(pa.array(np.isin(item_rows, poc)), item_el(6), item_el(4)) if len(poc) else item_el(4)
    take_set = pa.array(set_of, pa.int64())
    meta = pa.table({"isa13": [x[0] for x in sets], "gs06": [x[1] for x in sets], "st02": [x[2] for x in sets],
                     "set_id": [x[3] for x in sets], "po_number": po_numbers, "release": releases}).take(take_set)
    t = pa.table({
        "partner": pa.repeat(pa.scalar(partner, pa.string()), len(acks)),
        "po_number": meta["po_number"], "isa13": meta["isa13"], "gs06": meta["gs06"], "st02": meta["st02"],
        "set_id": meta["set_id"], "release": meta["release"], "echo": item_el(1),  # BAK05 / BCA04
        "price": per_distinct(price, lambda v: prices_as(number(v, WIDE_PRICE), PRICE)),
        "ack_code": ack_el(1), "quantity": per_distinct(ack_el(2), lambda v: number(v, QTY)),
        "ack_unit": ack_el(3),
        "promised_date": per_distinct(ack_el(5), x12_dates.dates),
        "_row": pa.array(acks, pa.int64()),
    })
    document_id, seg = _documents_of(doc_starts, acks, docs)
    t = t.append_column("document_id", document_id).append_column("_seg", seg)
    coded = pc.is_valid(t["ack_code"])
    if not pc.all(coded).as_py():
        t = t.filter(coded)
    return t


def invoice_totals(documents: pa.Table) -> pa.Table:
    """INVOICE_TOTALS: per 810 set of the delivered documents (DOCUMENT_ROWS: partner, content, file,
    sent_at; read again here, as the partner received them): BIG01, BIG02, BIG04, its SAC amounts (SAC05,
    two implied decimals) added up as charges (SAC01 C) and allowances (A; N and other codes ask
    nothing), and TDS01 (two implied decimals; null without a TDS). A SAC in an IT1 loop counts as one in
    the summary: TDS01 holds both."""
    return invoice_totals_and_charges(documents)[0]


def invoice_totals_and_charges(documents: pa.Table, *, rows: tuple[pa.Table, pa.Table] | None = None,
                               g72_codes: Mapping[str, Mapping[str, str]] | None = None
                               ) -> tuple[pa.Table, pa.Table]:
    """INVOICE_TOTALS (invoice_totals) and INVOICE_CHARGES (each SAC01 A or C segment of those 810 sets: its
    SAC02, SAC05 (N2), SAC07, SAC15 and the IT1 it sits in, for the charge reconciliation,
    engine.charge_match), from one read of the documents. ``rows``: invoice_rows(documents) when the caller
    has them (kept per document, flows.reconcile); ``documents`` then need not hold their content.
    ``g72_codes``: partner -> its profile's [fulfilment.invoice] g72_codes (invoice_rows)."""
    totals, charges = invoice_rows(documents, g72_codes=g72_codes) if rows is None else rows
    rows = [p.select(INVOICE_TOTALS.names) for p in _with_documents(totals, documents, TOTAL_ROWS.names[:-2])]
    sacs = [p.select(INVOICE_CHARGES.names) for p in _with_documents(charges, documents, CHARGE_ROWS.names[:-2])]
    return (pa.concat_tables(rows).cast(INVOICE_TOTALS) if rows else INVOICE_TOTALS.empty_table(),
            pa.concat_tables(sacs).cast(INVOICE_CHARGES) if sacs else INVOICE_CHARGES.empty_table())


def _cents(values: pa.Array) -> np.ndarray:
    """N2 texts (implied two decimals, an optional minus) as int64 cents; 0 where absent or not a number. A
    value written with its decimal point ("25.00": a translator's habit, a syntax deviation whose meaning is
    unambiguous) is the number it states (2500 cents, never 25), to the cent half up."""
    ok = pc.fill_null(pc.match_substring_regex(values, r"^-?[0-9]{1,17}$"), False)
    out = pc.fill_null(pc.cast(pc.if_else(ok, values, pa.scalar(None, pa.string())), pa.int64()),
                       0).to_numpy(zero_copy_only=False)
    pointed = np.flatnonzero(pc.fill_null(pc.match_substring_regex(values, r"^-?([0-9]{1,15}\.[0-9]*|\.[0-9]+)$"),
                                          False).to_numpy(zero_copy_only=False))
    if len(pointed):  # rare: read one by one
        out = out.copy()
        for i in pointed.tolist():
            out[i] = int(Decimal(values[i].as_py()).scaleb(2).to_integral_value(ROUND_HALF_UP))
    return out


def _invoice_segments(partner: str, docs: pa.Table, sacs: Mapping[tuple[str, str], str] | None = None
                      ) -> tuple[pa.Table, pa.Table]:
    """One partner's 810 sets: numbers, SAC sums and TDS (TOTAL_ROWS' columns), and their SACs
    (CHARGE_ROWS' columns), each with the document it is in and its place there (the set's ST, the SAC). A
    grocer's 880 (engine.invoice_880) is read alike: its G01 says what a BIG does in the same places (01 date,
    02 invoice number, 04 PO number) and its G33 what TDS01 does (the total, two implied decimals); its G72s
    what SACs do (engine.invoice_880._g72): G7201 500 and on a charge (C), 1-499 an allowance (A), G7208 the
    amount, G7209 the percent, the SAC02 the G7201 was mapped from its code (``sacs``: g72_sacs of the partner's
    g72_codes and SAC_TO_G7201; none for a 340 code no SAC02 or two map to: the amount and kind count all the
    same); a G72 of a tax code (501, 526, 537:
    engine.invoice_880's TXI) one of its taxes as a summary TXI; a G72 in a G17 loop counts as the summary's (a G17
    names no PO line)."""
    elements, found, sets, doc_starts = _sets_read(docs, INVOICE_SETS)
    as_810 = {"BIG": "G01", "TDS": "G33", "SAC": "G72"}

    def rows_of(seg_id: str) -> np.ndarray:
        rows = found(seg_id)
        if seg_id in as_810 and any(x[3] == "880" for x in sets):
            rows = np.union1d(rows, found(as_810[seg_id]))
        return rows

    if not sets:
        return pa.table({}), pa.table({})
    starts = np.array([x[4] for x in sets], np.int64)
    ends = np.array([x[5] for x in sets], np.int64)

    n = len(sets)
    sac, sac_set = _in_sets(starts, ends, rows_of("SAC"))
    is_g72 = np.isin(sac, found("G72")) if any(x[3] == "880" for x in sets) else np.zeros(len(sac), bool)

    def sac_el(k: int, k_g72: int | None) -> pa.Array:  # SAC element k, or G72 element k_g72 of an 880's G72
        got = _element_of(elements, sac, k)
        if not is_g72.any():
            return got
        other = _element_of(elements, sac, k_g72) if k_g72 else pa.nulls(len(sac), pa.string())
        return pc.if_else(pa.array(is_g72), other, got)

    amount = _cents(sac_el(5, 8))
    kind = _element_of(elements, sac, 1).to_numpy(zero_copy_only=False)
    sac_code = sac_el(2, None)
    if is_g72.any():
        g7201 = kind.tolist()
        kind = np.array([g72_kind(c) if g else c for c, g in zip(g7201, is_g72.tolist(), strict=True)], object)
        back = _G7201_SAC if sacs is None else sacs
        sac_code = pa.array([back.get((k, c)) if g else s for k, c, g, s in zip(
            kind.tolist(), g7201, is_g72.tolist(), sac_code.to_pylist(), strict=True)], pa.string())
    charges = np.bincount(sac_set, weights=np.where(kind == "C", amount, 0), minlength=n).astype(np.int64)
    allowances = np.bincount(sac_set, weights=np.where(kind == "A", amount, 0), minlength=n).astype(np.int64)
    tds, tds_set = _in_sets(starts, ends, rows_of("TDS"))
    taxes = _summary_taxes(elements, *_in_sets(starts, ends, rows_of("TXI")), tds, tds_set, n)
    if is_g72.any():  # an 880's tax: a G72 of a 340 tax code (engine.invoice_880._tax_g72), its TXI's amount
        taxes += np.bincount(sac_set, weights=np.where((kind == "T") & is_g72, amount, 0), minlength=n).astype(np.int64)
    total = np.zeros(n, np.int64)
    has_total = np.zeros(n, bool)
    total[tds_set] = _cents(_element_of(elements, tds, 1))  # one TDS per set (a second: the last counts)
    has_total[tds_set] = True
    big, big_set = _in_sets(starts, ends, rows_of("BIG"))
    first = np.full(n, -1, np.int64)
    first[big_set[::-1]] = big[::-1]  # each set's first BIG
    has_big = first >= 0
    at = np.where(has_big, first, 0)

    def big_el(k: int) -> pa.Array:
        got = _element_of(elements, at, k)
        return pc.if_else(pa.array(has_big), got, pa.scalar(None, pa.string()))

    codes = pa.table({"set": pa.array(sac_set, pa.int64()), "code": sac_code,
                      "a": pa.array(kind == "A")})
    codes = codes.filter(pc.and_(codes["a"], pc.is_valid(codes["code"])))
    allowance_codes = pa.nulls(n, pa.string())
    if codes.num_rows:
        listed = codes.group_by(["set", "code"], use_threads=False).aggregate([]).sort_by(
            [("set", "ascending"), ("code", "ascending")]).group_by("set", use_threads=False).aggregate(
            [("code", "list")])
        at_set = pc.index_in(pa.array(np.arange(n), pa.int64()), value_set=listed["set"])
        allowance_codes = pc.binary_join(listed["code_list"].combine_chunks().take(at_set), " ")
    t = pa.table({
        "partner": pa.repeat(pa.scalar(partner, pa.string()), n), "po_number": big_el(4),
        "invoice_number": big_el(2), "invoice_date": per_distinct(big_el(1), x12_dates.dates),
        "allowance_codes": allowance_codes,
        "charges": decimal_array(charges * 100), "allowances": decimal_array(allowances * 100),
        "taxes": decimal_array(taxes * 100),
        "total": decimal_array(total * 100, has_total),  # cents as 10^-4 units (MONEY)
        "isa13": [x[0] for x in sets], "gs06": [x[1] for x in sets], "st02": [x[2] for x in sets],
    })
    document_id, seg = _documents_of(doc_starts, starts, docs)
    t = t.append_column("document_id", document_id).append_column("_seg", seg)
    sacs = _invoice_sacs(partner, docs, elements, rows_of, sets, sac, sac_set, kind, amount, big_el,
                         (sac_code, sac_el(7, 9), sac_el(15, None)))
    if sacs.num_rows:
        document_id, seg = _documents_of(doc_starts, sac[(kind == "A") | (kind == "C")], docs)
        sacs = sacs.append_column("document_id", document_id).append_column("_seg", seg)
    return t, sacs


_G7201_SAC = g72_sacs(None)  # an 880's G72 -> its SAC, by the table alone


def _summary_taxes(elements, txi: np.ndarray, txi_set: np.ndarray, tds: np.ndarray, tds_set: np.ndarray,
                   n: int) -> np.ndarray:
    """Per set, in cents: its taxes, per tax (TXI01) its summary's TXI02s (R: a decimal number, "13.5" is 13.50)
    added up - the TXIs after its TDS (a TXI in an IT1 loop is that line's share of the summary's) -, or, for a
    tax the summary does not state, its lines' TXI02s (an 810 that states its taxes on the lines alone: X12 makes
    the summary TXI optional, and TDS01 holds them all the same). A TXI02 that is no number counts 0."""
    out = np.zeros(n, np.int64)
    if not len(txi) or not len(tds):
        return out
    first_tds = np.full(n, np.iinfo(np.int64).max, np.int64)
    np.minimum.at(first_tds, tds_set, tds)
    after = (txi > first_tds[txi_set]).tolist()
    codes = _element_of(elements, txi, 1).to_pylist()
    stated = {(k, code) for k, code, a in zip(txi_set.tolist(), codes, after, strict=True) if a}
    for value, k, code, a in zip(_element_of(elements, txi, 2).to_pylist(), txi_set.tolist(), codes, after,
                                 strict=True):
        if not a and (k, code) in stated:
            continue
        try:
            amount = Decimal(value or "0")
        except InvalidOperation:
            continue
        if amount.is_finite():
            out[k] += int(amount.scaleb(2).to_integral_value(ROUND_HALF_UP))
    return out


def _invoice_sacs(partner: str, docs: pa.Table, elements, rows_of, sets: list, sac: np.ndarray,
                  sac_set: np.ndarray, kind: np.ndarray, amount: np.ndarray, big_el,
                  said: tuple[pa.Array, pa.Array, pa.Array]) -> pa.Table:
    """INVOICE_CHARGES' columns: each SAC01 A or C segment of the 810 sets (``sac`` rows, in set
    ``sac_set``), with its set's BIG04 and BIG02 and the IT1 loop it sits in (IT101; null in the summary).
    ``said``: per row its code (SAC02), percent (SAC07) and description (SAC15) (an 880's G72: _invoice_segments)."""
    asks = (kind == "A") | (kind == "C")
    code, percent, description = (a.filter(pa.array(asks)) for a in said)
    sac, sac_set, kind, amount = sac[asks], sac_set[asks], kind[asks], amount[asks]
    if not len(sac):
        return pa.table({})
    starts = np.array([x[4] for x in sets], np.int64)
    items = rows_of("IT1")
    tds = np.sort(rows_of("TDS"))
    item_of = np.searchsorted(items, sac, side="right") - 1
    has_item = (item_of >= 0) & (items[np.maximum(item_of, 0)] >= starts[sac_set]) if len(items) else \
        np.zeros(len(sac), bool)
    if len(tds) and len(items):  # a SAC after the summary's TDS is the summary's, whatever IT1 came before
        after = np.searchsorted(tds, sac, side="right") - 1
        has_item &= ~((after >= 0) & (tds[np.maximum(after, 0)] > items[np.maximum(item_of, 0)]))
    line_id = pc.if_else(pa.array(has_item), _element_of(elements, items[np.maximum(item_of, 0)], 1),
                         pa.scalar(None, pa.string())) if len(items) else pa.nulls(len(sac), pa.string())
    take_set = pa.array(sac_set, pa.int64())
    t = pa.table({
        "partner": pa.repeat(pa.scalar(partner, pa.string()), len(sac)),
        "po_number": big_el(4).take(take_set), "invoice_number": big_el(2).take(take_set),
        "line_id": line_id, "kind": pa.array(kind, pa.string()), "code": code,
        "amount": decimal_array(amount * 100),
        "percent": per_distinct(percent, lambda v: number(v, MONEY)),
        "description": description,
        "isa13": pa.array([sets[k][0] for k in sac_set], pa.string()),
        "gs06": pa.array([sets[k][1] for k in sac_set], pa.string()),
        "st02": pa.array([sets[k][2] for k in sac_set], pa.string()),
    })
    return t


def po_allowances(findings: pa.Table) -> pa.Table:
    """PO_ALLOWANCES from the SAC_NOT_APPLIED findings (connectors.finance_store allowance_findings:
    partner, po_number, message, file, sacs; in the order recorded): each allowance the latest finding of an
    order names (its detail, findings.sacs). Charges are left out: nothing is deducted for them."""
    return allowances_of(po_charges(findings))


def po_charges(findings: pa.Table) -> pa.Table:
    """PO_CHARGES from the SAC_NOT_APPLIED findings (as po_allowances reads them: the latest finding of each
    order): every allowance and charge its detail names (findings.sacs: schemas.findings.sacs_of; the store's
    migration to FINDING_SACS read those of findings recorded before from their words), ``more`` how many more
    it counted without naming them."""
    if not findings.num_rows:
        return PO_CHARGES.empty_table()
    keyed = pc.binary_join_element_wise(findings["partner"], findings["po_number"], "\x1f")
    if isinstance(keyed, pa.ChunkedArray):
        keyed = keyed.combine_chunks()
    codes = pc.dictionary_encode(keyed).indices.to_numpy(zero_copy_only=False)
    latest = np.sort(len(keyed) - 1 - first_rows(codes[::-1]))  # each order's last finding, in recorded order
    t = findings.take(pa.array(latest, pa.int64()))
    rows: list[dict] = []
    read: dict[str | None, tuple[list[dict], int]] = {}  # retailers send the same SACs on every PO: read once
    for partner, po, file, stored in zip(*(t[c].to_pylist() for c in ("partner", "po_number", "file", "sacs")),
                                         strict=True):
        got = read.get(stored)
        if got is None:
            sacs, more = sacs_of(stored)
            got = read[stored] = ([_charge_row(s) for s in sacs], more)
        items, more = got
        rows.extend({**r, "partner": partner, "po_number": po, "more": more, "file": file} for r in items)
    return pa.Table.from_pylist(rows, schema=PO_CHARGES) if rows else PO_CHARGES.empty_table()


def _charge_row(sac: SacNamed) -> dict:
    """A SAC a finding names as PO_CHARGES' columns (its figures as numbers; one that is none: null)."""
    return {"kind": sac.kind, "code": sac.code, "agency_code": sac.agency_code, "line_id": sac.line_id,
            "amount": _decimal_or_none(sac.amount), "basis": sac.basis, "percent": _decimal_or_none(sac.percent),
            "rate": _decimal_or_none(sac.rate), "handling": sac.handling, "description": sac.description,
            "words": sac.words}


def _decimal_or_none(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


# --- the 850s' SACs as stored with their orders (schemas.orders.ORDER_SACS) ----------------------------
SAC_ORDER_COLUMNS = ["partner", "po_number", "order_ref", "source_sha256"]  # what stored_po_charges reads of orders


def stored_po_charges(sacs: pa.Table, orders: pa.Table, keep: Sequence[str] = ()) -> pa.Table:
    """PO_CHARGES from the stored ORDER_SACS (connectors.order_store load_sacs) of ``orders`` (connectors.
    finance_store ORDER_ROWS: each order's current 850, its file's key and order_ref): every allowance and charge
    that 850 sent, however many (no message's ten), under the order's key; the rows of a stored file's other 850s
    (a PO since replaced by another file) left out. ``words`` as SAC_NOT_APPLIED writes an item (ALLOWANCE_NOT_
    APPLIED names them); ``more`` 0: nothing was left unnamed. ``keep``: columns of ``sacs`` or ``orders`` carried
    after PO_CHARGES' (an 860's: its sequence, BCH01 and POC02, engine.finance_inputs.with_changes)."""
    if not sacs.num_rows or not orders.num_rows:
        return PO_CHARGES.empty_table() if not keep else _with_kept(PO_CHARGES.empty_table(), sacs, orders, keep)
    extra = [c for c in keep if c in orders.column_names and c not in sacs.column_names]
    current = orders.select([*SAC_ORDER_COLUMNS, *extra]).rename_columns(
        ["partner", "key", "order_ref", "source_sha256", *extra])
    t = sacs.append_column("_row", pa.array(np.arange(sacs.num_rows), pa.int64()))
    t = t.join(current, ["partner", "source_sha256", "order_ref"], join_type="inner", use_threads=False)
    if not t.num_rows:
        return PO_CHARGES.empty_table() if not keep else _with_kept(PO_CHARGES.empty_table(), sacs, orders, keep)
    t = t.sort_by([("_row", "ascending")])  # as sent: file, set, segment
    number = pc.cast(t["line_number"], pa.string())
    line_id = pc.if_else(pc.is_null(t["line_number"]), pa.scalar(None, pa.string()),
                         pc.coalesce(t["line_id"], number))  # a PO1 without PO101: its line number, as the words
    words = _stored_words(t, line_id)
    out = pa.table({
        "partner": t["partner"], "po_number": t["key"], "line_id": line_id, "kind": t["kind"], "code": t["code"],
        "amount": t["amount"], "basis": t["basis"], "percent": t["percent"], "rate": t["rate"],
        "handling": t["handling"], "description": t["description"], "reference": t["reference"],
        "agency_code": pc.if_else(pc.is_valid(t["agency"]), pc.binary_join_element_wise(
            t["agency"], pc.fill_null(t["agency_code"], ""), ":"), t["agency_code"]),
        "words": pa.array(words, pa.string()),
        "more": pa.array(np.zeros(t.num_rows, np.int32), pa.int32()), "file": t["source_file"],
    }).cast(PO_CHARGES)
    for c in keep:
        out = out.append_column(c, t[c])
    return out


def _with_kept(empty: pa.Table, sacs: pa.Table, orders: pa.Table, keep: Sequence[str]) -> pa.Table:
    for c in keep:
        field = sacs.schema.field(c) if c in sacs.column_names else orders.schema.field(c)
        empty = empty.append_column(field, pa.array([], field.type))
    return empty


# --- what the 860s did to those promises ---------------------------------------------------------------
CHANGED_COLUMNS = ("seq", "purpose", "change_type")  # with_changes' columns past PO_CHARGES'
RESTATE = "05"  # BCH01 replace: the 860 restates the PO (its heading SACs, when it sends any, are all of them)


DATED = ("since", "until")  # with_changes(dated=True): when a promise came into force (its 860's receipt), and ended


def with_changes(charges: pa.Table, changed: pa.Table, *, dated: bool = False) -> pa.Table:
    """PO_CHARGES after the SACs of the 860s applied to the orders (``changed``: PO_CHARGES rows of CHANGE_SACS
    with CHANGED_COLUMNS: each 860's sequence, oldest first, its BCH01 and the POC02 of the loop a SAC sits in),
    as engine.changes applies an 860's heading: what it sends replaces, what it leaves out stays. A SAC replaces
    the PO's of its kind and SAC02 at its level (the heading, or the line its POC01 names); SAC01 N ("no
    allowance or charge") takes that SAC02 off; one with SAC12 12 (cancel allowance) replaces it and so asks
    nothing (engine.charge_match). A BCH01 05 (replace) 860 sending heading SACs restates them all (the others
    are gone); a POC02 RZ (replace all values) restates its line's, a DI (delete) takes them off. Columns of
    ``charges`` past PO_CHARGES' (stored_po_charges keep=: the invoice stage's SAC09 and SAC03) are kept, an 860's
    SAC bringing its own (``changed`` has them too).

    ``dated`` (the reconciliation's: ``changed`` has a ``since`` column, each 860's receipt): each promise says when
    it held (DATED): an 860's SAC from its 860's receipt (``since``), a heading promise an 860 replaced or took off
    until that 860's (``until``, kept as a row of its own): what was invoiced before an 860 is held to the heading
    promise then standing, not re-priced (engine.charge_match; a line's promise is held to the line as it stands).
    Not for the invoice stage, whose next 810 carries what holds now."""
    dated = dated and "since" in changed.column_names
    if dated:
        for c in DATED:
            if c not in charges.column_names:
                charges = charges.append_column(pa.field(c, pa.timestamp("us")), pa.nulls(charges.num_rows,
                                                                                         pa.timestamp("us")))
    if not changed.num_rows:
        return charges
    touched_keys = sorted(set(zip(changed["partner"].to_pylist(), changed["po_number"].to_pylist(), strict=True)))
    keys = pa.table({"partner": [k[0] for k in touched_keys], "po_number": [k[1] for k in touched_keys]})
    mine = pc.fill_null(pc.is_in(_lookup_key(charges, ["partner", "po_number"]),
                                 value_set=_lookup_key(keys, ["partner", "po_number"])), False)
    kept = charges.filter(pc.invert(mine))
    current: dict[tuple[str, str], list[dict]] = {k: [] for k in touched_keys}
    for r in charges.filter(mine).to_pylist():
        current[(r["partner"], r["po_number"])].append(r)
    rows = changed.to_pylist()
    order = sorted(range(len(rows)), key=lambda i: (rows[i]["seq"], i))  # each 860 in turn, its SACs as sent
    groups: dict[tuple, list[dict]] = {}
    for i in order:
        r = rows[i]
        groups.setdefault((r["seq"], r["partner"], r["po_number"]), []).append(r)
    ended: dict[tuple[str, str], list[dict]] = {}
    for (_seq, partner, po), sent in sorted(groups.items(), key=lambda kv: kv[0]):
        items = before = current[(partner, po)]
        # (a POC loop's SAC whose line is not known, an 876's G68 loop naming no line: no heading's, not applied)
        heading = [r for r in sent if r["line_id"] is None and r["change_type"] is None]
        if heading and sent[0]["purpose"] == RESTATE:
            items = [c for c in items if c["line_id"] is not None]
        items = _replaced(items, heading, None)
        lines: dict[str, list[dict]] = {}
        for r in sent:
            if r["line_id"] is not None:
                lines.setdefault(r["line_id"], []).append(r)
        for line, line_sacs in lines.items():
            if line_sacs[0]["change_type"] in ("RZ", *DELETE_TYPES):
                items = [c for c in items if c["line_id"] != line]
            if line_sacs[0]["change_type"] not in DELETE_TYPES:
                items = _replaced(items, line_sacs, line)
        current[(partner, po)] = items
        if dated and sent[0].get("since") is not None:  # what it replaced or took off held until it came
            kept_ids = {id(r) for r in items}
            ended.setdefault((partner, po), []).extend(
                {**r, "until": sent[0]["since"]} for r in before if id(r) not in kept_ids and r["line_id"] is None)
    new = [{c: r.get(c) for c in charges.column_names} for k in touched_keys
           for r in (*current[k], *ended.get(k, ()))]
    if not new:
        return kept
    return pa.concat_tables([kept, pa.Table.from_pylist(new, schema=charges.schema)])


REFUSED_WHOLE = ("RD", "RJ")  # BCA02: every POC refused, the change refused: none of its SACs is agreed
POC_REFUSED = "IR"  # ACK01 of a POC we refused: its loop's SACs are not agreed
REJECTED_ORDERS = ("rejected", "rejected_by_person")  # an order rejected whole: no change of it is agreed


def applied_refusals(applied) -> dict[tuple[str, str, str], tuple[bool, frozenset[str]]]:
    """What we refused of the 860s applied and not answered yet (``applied``: per order, engine.lifecycle's
    AppliedChange with its ChangeResult), per (partner, store key, change ref): whether the whole change, and the
    POC01s every POC of which we refused (IR): as change_refusals reads them back from the 865s once sent."""
    out: dict[tuple[str, str, str], tuple[bool, frozenset[str]]] = {}
    for changes in (applied or {}).values():
        for a in changes:
            said: dict[str, list[str]] = {}
            for lr in a.result.line_results:
                said.setdefault(lr.change.get("line_id") or "", []).append(lr.status)
            refused = frozenset(line for line, codes in said.items() if all(c == POC_REFUSED for c in codes))
            if a.result.rejected or refused:
                out[a.change.partner, a.change.store_key, a.change.change_ref] = (a.result.rejected, refused)
    return out


def change_refusals(documents: pa.Table, sent: pa.Table) -> dict[tuple[str, str], tuple[bool, frozenset[str]]]:
    """What our delivered 865s refused, per (partner, the 865's doc key: "865:<store key>:<change ref>", the 860
    it answers): whether the whole change (BCA02 RD or RJ: a change refused, every POC rejected, an order a
    person rejected after the change was applied to it), and the POC01s every ACK of which said IR (a POC
    refused: an empty price, an unknown unit, a line the rules then rejected). ``documents``: DOCUMENT_ROWS
    (sets other than 865 ignored); ``sent``: SENT_ROWS naming each set's doc key. An 865 sent again under the
    same key: the latest says. A change we answered without an 865 (a partner answered by revised 855s alone)
    is not here: all of it stands."""
    docs = documents.filter(pc.equal(documents["doc_type"], "865")) if documents.num_rows else documents
    sets = sent.filter(pc.equal(sent["set_id"], "865")) if sent.num_rows else sent
    if not docs.num_rows or not sets.num_rows:
        return {}
    keys = {(p, i, g, s): k for p, k, i, g, s in zip(*(sets[c].to_pylist() for c in (
        "partner", "doc_key", "isa13", "gs06", "st02")), strict=True)}
    out: dict[tuple[str, str], tuple[bool, frozenset[str]]] = {}
    partners = sorted(set(docs["partner"].to_pylist()))
    for partner in partners:
        mine = docs if len(partners) == 1 else docs.filter(pc.equal(docs["partner"], partner))
        elements, rows_of, found, _ = _sets_read(mine, ("865",))
        if not found:
            continue
        heads, pocs, acks = rows_of("BCA"), rows_of("POC"), rows_of("ACK")
        for isa13, gs06, st02, _id, start, end in found:  # in the order sent: a later one replaces
            key = keys.get((partner, isa13, str(gs06), st02))
            if key is None:
                continue
            head = heads[(heads >= start) & (heads <= end)]
            whole = bool(len(head)) and _element_of(elements, head[:1], 2)[0].as_py() in REFUSED_WHOLE
            loops = pocs[(pocs >= start) & (pocs <= end)]
            mine_acks = acks[(acks >= start) & (acks <= end)]
            statuses: dict[str, list[str]] = {}
            if len(loops) and len(mine_acks):
                of = np.searchsorted(loops, mine_acks, side="right") - 1
                inside = of >= 0
                ids = _element_of(elements, loops[of[inside]], 1).to_pylist()
                codes = _element_of(elements, mine_acks[inside], 1).to_pylist()
                for line, code in zip(ids, codes, strict=True):
                    statuses.setdefault(line or "", []).append(code or "")
            refused = frozenset(line for line, codes in statuses.items() if all(c == POC_REFUSED for c in codes))
            out[partner, key] = (whole, refused)
    return out


def accepted_changes(changed: pa.Table, refused: Mapping[int, tuple[bool, frozenset[str]]]) -> pa.Table:
    """``changed`` (with_changes' input: PO_CHARGES rows of the 860s' SACs with CHANGED_COLUMNS) less what we
    refused (``refused``: per change, its seq, change_refusals' answer): every SAC of a change refused whole,
    and a line SAC of a POC loop refused (its POC01 answered IR): the agreement is what we accepted."""
    if not changed.num_rows or not refused:
        return changed
    keep = [not (seq in refused and (refused[seq][0] or (line is not None and line in refused[seq][1])))
            for seq, line in zip(changed["seq"].to_pylist(), changed["line_id"].to_pylist(), strict=True)]
    return changed if all(keep) else changed.filter(pa.array(keep, pa.bool_()))


def without_deleted_lines(charges: pa.Table, lines: pa.Table) -> pa.Table:
    """PO_CHARGES less the line SACs of lines deleted from their orders (``lines``: LINE_COLUMNS rows; state
    deleted: an 860's DI we accepted, a line a BCH01 05 replace left out), whether or not the change sent a SAC
    of its own for them: a deleted line's allowance is no longer promised. A line id a live line of the PO
    still carries (a PO101 repeated, or given again to an added line) keeps its SACs."""
    if not charges.num_rows or not lines.num_rows or not pc.any(pc.is_valid(charges["line_id"])).as_py():
        return charges
    echo = pc.if_else(pc.equal(pc.fill_null(lines["line_id"], ""), ""), pc.cast(lines["line_number"], pa.string()),
                      lines["line_id"])
    ids = pa.table({"partner": lines["partner"], "po_number": lines["po_number"], "echo": echo})
    deleted = pc.fill_null(pc.equal(lines["state"], "deleted"), False)
    if not pc.any(deleted).as_py():
        return charges
    gone = _lookup_key(ids.filter(deleted), ECHO_KEYS)
    live = _lookup_key(ids.filter(pc.invert(deleted)), ECHO_KEYS)
    gone = pc.filter(gone, pc.invert(pc.fill_null(pc.is_in(gone, value_set=live), False)))
    if not len(gone):
        return charges
    named = pa.table({"partner": charges["partner"], "po_number": charges["po_number"], "echo": charges["line_id"]})
    off = pc.fill_null(pc.is_in(_lookup_key(named, ECHO_KEYS), value_set=gone), False)
    return charges.filter(pc.invert(off))


def _replaced(items: list[dict], sent: list[dict], line: str | None) -> list[dict]:
    """``items`` with ``sent`` (SACs of one level: the heading, ``line`` None, or a line) in place of those of
    the same kind and SAC02 there; an N takes its SAC02 off, whatever kind."""
    if not sent:
        return items
    same = {(r["kind"], r["code"]) for r in sent if r["kind"] != "N"}
    off = {r["code"] for r in sent if r["kind"] == "N" and r["code"]}
    left = [c for c in items if c["line_id"] != line or ((c["kind"], c["code"]) not in same and c["code"] not in off)]
    return left + [r for r in sent if r["kind"] != "N"]


def _stored_words(t: pa.Table, line_id: pa.Array | pa.ChunkedArray) -> list[str]:
    """Each stored SAC as a SAC_NOT_APPLIED item writes it (rules.set_checks): "allowance C310 0.00, 2 % of
    basis 1, rate 0.5, handling 02 off invoice, "PROMOTIONAL ALLOWANCE" (line 2)"; each distinct SAC written once
    (retailers send the same SACs on every PO)."""
    from rules.set_checks import sac_description, sac_handling

    cols = ("kind", "code", "amount", "percent", "basis", "rate", "handling", "description", "agency", "agency_code")
    done: dict[tuple, str] = {}
    out = []
    for row in zip(*(t[c].to_pylist() for c in cols), line_id.to_pylist(), strict=True):
        got = done.get(row)
        if got is None:
            kind, code, amount, percent, basis, rate, handling, note, agency, agency_code, line = row
            described = sac_description(note) if note else ""
            money = ([f"agency {agency}:{agency_code}"] if agency and agency_code and not code else []) + (
                [_cents_text(amount)] if amount is not None else []) + (
                [f"{_plain(percent)} %" + (f" of basis {basis}" if basis else "")] if percent is not None else []) + (
                [f"rate {_plain(rate)}"] if rate is not None else []) + (
                [sac_handling(handling)] if handling else []) + ([f'"{described}"'] if described else [])
            got = done[row] = (f"{'allowance' if kind == 'A' else 'charge'} {code or '(no code)'}"
                               + (" " + ", ".join(money) if money else "") + (f" (line {line})" if line else ""))
        out.append(got)
    return out


def _cents_text(value: Decimal) -> str:
    """An amount as the words write SAC05 (two places when it has no more: 25.00; else every digit)."""
    return f"{value:.2f}" if value == value.quantize(Decimal("0.01")) else _plain(value)


def _plain(value: Decimal) -> str:
    """A decimal without its trailing zeros nor an exponent (2.5000 -> 2.5, 10.0000 -> 10)."""
    text = f"{value.normalize():f}"
    return "0" if text in ("-0", "") else text


def allowances_of(charges: pa.Table) -> pa.Table:
    """PO_ALLOWANCES of PO_CHARGES rows: the allowances (SAC01 A) that ask something (SAC12 neither cancels it,
    12, nor names it for information only, 15), as po_allowances keeps them of the words."""
    if not charges.num_rows:
        return PO_ALLOWANCES.empty_table()
    asks = pc.and_(pc.equal(charges["kind"], "A"),
                   pc.invert(pc.is_in(pc.fill_null(charges["handling"], ""),
                                      value_set=pa.array(sorted(ASKS_NOTHING), pa.string()))))
    return charges.filter(asks).select(PO_ALLOWANCES.names).cast(PO_ALLOWANCES)


def findings_not_of(findings: pa.Table, keys: pa.Table) -> pa.Table:
    """The SAC_NOT_APPLIED findings (connectors.finance_store allowance_findings) of orders other than ``keys``
    (partner, po_number: the orders whose 850's SACs are stored; their words are not read)."""
    if not findings.num_rows or not keys.num_rows:
        return findings
    mine = _lookup_key(findings, ["partner", "po_number"])
    stored = _lookup_key(keys, ["partner", "po_number"])
    return findings.filter(pc.invert(pc.fill_null(pc.is_in(mine, value_set=stored), False)))


# --- our own 855s and 865s read in columns -----------------------------------------------------------
_BLANK_BYTES = b" \t\r\n\x0b\x0c"
ENVELOPE = ("ISA", "GS", "ST", "SE", "GE", "IEA")


def _envelope_steps() -> np.ndarray:
    """Which envelope segment may follow which (by place in ENVELOPE) in a run without an envelope error."""
    steps = np.zeros((len(ENVELOPE), len(ENVELOPE)), bool)
    for before, after in (("ISA", "GS"), ("GS", "ST"), ("ST", "SE"), ("SE", "ST"), ("SE", "GE"), ("GE", "GS"),
                          ("GE", "IEA"), ("IEA", "ISA")):
        steps[ENVELOPE.index(before), ENVELOPE.index(after)] = True
    return steps


_FOLLOWS = _envelope_steps()


def _plain_segments(content: pa.BinaryArray):
    """The segments of documents (``content``, in order) as parsers.x12_reader reads them joined by line
    breaks, (element rows, rows_of(segment id), sets as (ISA13, GS06, ST02, ST01, ST row, SE row)), split
    by Arrow's kernels alone, for documents as we write them: each opening with an ISA, all with the same
    single-byte delimiters, UTF-8, every ISA, GS, ST, SE, GE and IEA where the envelope wants it, every
    other segment inside a set, no segment ending with the component separator. None otherwise (the
    reader then reads them, as it reads anything). What the reader does beyond the split (envelope
    syntax, findings) gives nothing here for such documents."""
    n_docs = len(content)
    if not n_docs or content.null_count:
        return None
    heads = pc.binary_slice(content, 0, 1024).to_pylist()  # an ISA's 16 elements lie within its first 1,024
    delimiters = {_isa_delimiters(h) for h in heads}
    if len(delimiters) != 1 or None in delimiters:
        return None
    sep, comp, term = delimiters.pop()
    if term != "\n":  # each document but the last ends with its terminator (joined, two segments would be one)
        blanks = _BLANK_BYTES.replace(term.encode(), b"")
        if not all(t.rstrip(blanks).endswith(term.encode()) for t in pc.binary_slice(content, -64).to_pylist()[:-1]):
            return None
    try:
        text = content.cast(pa.string())  # checks UTF-8 (the reader reads other bytes as Latin-1)
    except pa.ArrowInvalid:
        return None
    split = pc.split_pattern(text, term)
    segments = pc.utf8_rtrim(pc.utf8_ltrim_whitespace(split.flatten()), characters="\r\n")
    kept = pc.greater(pc.binary_length(segments), 0)
    segments = segments.filter(kept)
    of_doc = pc.list_parent_indices(split).filter(kept).to_numpy(zero_copy_only=False)
    starts = np.searchsorted(of_doc, np.arange(n_docs), side="left").astype(np.int64)  # each document's first row
    n = len(segments)
    if not n:
        return None
    trailing = pc.sum(pc.ends_with(segments, comp)).as_py() or 0
    if trailing >= max(2, n // 2):  # the reader would drop those components
        return None
    isas = segments.filter(pc.starts_with(segments, "ISA")).to_pylist()
    if any(s[3:4] != sep or s.count(sep) != 16 or not s.rstrip().endswith(comp) for s in isas):
        return None  # an ISA the reader would read with other delimiters
    # s52 (perfrecon): the elements built in numpy instead (the separators' places in the segments' bytes, the
    # bytes without them as the values; equal to this split, checked) cost as much or more on a night's 855
    # (440,000 segments, 13.7 MB: 0.13-0.29 s against this kernel's 0.11-0.19): kept as it is
    rows = pc.split_pattern(segments, sep)
    del text, segments  # the rows hold their own copy
    offsets = rows.offsets.to_numpy(zero_copy_only=False)
    ids = rows.values.take(pa.array(offsets[:-1].astype(np.int64)))
    encoded = pc.dictionary_encode(ids)
    vocab, codes = encoded.dictionary.to_pylist(), encoded.indices.to_numpy(zero_copy_only=False)
    if "TA1" in vocab:
        return None

    def rows_of(seg_id: str) -> np.ndarray:
        return np.flatnonzero(codes == vocab.index(seg_id)) if seg_id in vocab else np.empty(0, np.int64)

    place = np.full(len(vocab) + 1, -1, np.int64)  # each id's place in ENVELOPE (-1: content)
    for i, v in enumerate(vocab):
        place[i] = ENVELOPE.index(v) if v in ENVELOPE else -1
    env_code = place[codes]
    env = np.flatnonzero(env_code >= 0)
    kinds = env_code[env]
    if kinds[0] != 0 or kinds[-1] != ENVELOPE.index("IEA") or not _FOLLOWS[kinds[:-1], kinds[1:]].all():
        return None
    content_rows = np.flatnonzero(env_code < 0)  # each inside a set: the envelope segment before it an ST
    if len(content_rows) and (kinds[np.searchsorted(env, content_rows) - 1] != ENVELOPE.index("ST")).any():
        return None
    isa_rows = env[kinds == 0]
    st = env[kinds == ENVELOPE.index("ST")]
    se = env[kinds == ENVELOPE.index("SE")]
    gs_rows = env[kinds == ENVELOPE.index("GS")]
    isa13 = _stripped(rows, isa_rows, 13)
    gs06 = _stripped(rows, gs_rows, 6)
    in_isa = np.searchsorted(isa_rows, st) - 1
    in_gs = np.searchsorted(gs_rows, st) - 1
    sets = list(zip([isa13[i] for i in in_isa.tolist()], [gs06[i] for i in in_gs.tolist()], _stripped(rows, st, 2),
                    _stripped(rows, st, 1), st.tolist(), se.tolist(), strict=True))
    return rows, rows_of, sets, starts


def answer_rows(documents: pa.Table) -> pa.Table:
    """ANSWER_ROWS: the ACK segments of our delivered 855s and 865s (DOCUMENT_ROWS with their content), each
    with its set, PO and PO1/POC line id, the document it is in (document_id) and its segment's place in that
    document (_seg): what acknowledged reads of them. A function of each document's content alone (for
    documents whose every set opens with its BAK or BCA, as ours do), so that the rows of a document
    can be kept and it is read once (flows.reconcile)."""
    parts = []
    partners = sorted(set(documents["partner"].to_pylist()))
    for partner in partners:  # one partner's documents: the table itself (no copy of their content)
        mine = documents if len(partners) == 1 else documents.filter(pc.equal(documents["partner"], partner))
        parts.append(_ack_segments(partner, mine))
    rows = [p.select(ANSWER_ROWS.names).cast(ANSWER_ROWS) for p in parts if p.num_rows]
    return pa.concat_tables(rows).combine_chunks() if rows else ANSWER_ROWS.empty_table()


def invoice_rows(documents: pa.Table, *, g72_codes: Mapping[str, Mapping[str, str]] | None = None
                 ) -> tuple[pa.Table, pa.Table]:
    """(TOTAL_ROWS, CHARGE_ROWS): invoice_totals_and_charges' rows of our delivered 810s (DOCUMENT_ROWS with
    their content) before each is given its document's file and delivery time, with the document it is in
    (document_id) and its segment's place there (_seg): a function of each document's content and its partner's
    ``g72_codes`` alone (partner -> its profile's [fulfilment.invoice] g72_codes: an 880's G72 read back through
    the map it was written by, g72_sacs), kept per document so that it is read once (flows.reconcile)."""
    totals, charges = [], []
    partners = sorted(set(documents["partner"].to_pylist()))
    for partner in partners:
        mine = documents if len(partners) == 1 else documents.filter(pc.equal(documents["partner"], partner))
        t, c = _invoice_segments(partner, mine, g72_sacs((g72_codes or {}).get(partner)))
        totals += [t.select(TOTAL_ROWS.names).cast(TOTAL_ROWS)] if t.num_rows else []
        charges += [c.select(CHARGE_ROWS.names).cast(CHARGE_ROWS)] if c.num_rows else []
    return (pa.concat_tables(totals).combine_chunks() if totals else TOTAL_ROWS.empty_table(),
            pa.concat_tables(charges).combine_chunks() if charges else CHARGE_ROWS.empty_table())


def _with_documents(rows: pa.Table, documents: pa.Table, names: Sequence[str]) -> list[pa.Table]:
    """Per partner (in order), ``rows`` (answer_rows' or invoice_rows') in the order one read of its documents
    gives them (by document id, then segment), ``names`` of their columns then _row (that order's number),
    each given the file and delivery time of its interchange's document (by ISA13, as sent); partners
    without rows left out."""
    if not rows.num_rows:
        return []
    rows = _sorted(rows, [("partner", "ascending"), ("document_id", "ascending"), ("_seg", "ascending")])
    numbered = rows.select(list(names)).append_column("_row", pa.array(np.arange(rows.num_rows), pa.int64()))
    partners = sorted(set(documents["partner"].to_pylist()))
    out = []
    for partner in partners:
        mine = documents if len(partners) == 1 else documents.filter(pc.equal(documents["partner"], partner))
        at = np.flatnonzero(pc.equal(numbered["partner"], partner).to_numpy(zero_copy_only=False))
        if not len(at):
            continue
        part = numbered.slice(int(at[0]), len(at))  # sorted: a partner's rows stand together
        joined = _inner_lookup(part, mine.select(["isa13", "file", "sent_at"]), ["isa13"])
        if joined.num_rows:
            out.append(joined)
    return out


def _isa_delimiters(head: bytes) -> tuple[str, str, str] | None:
    """(element, component, segment) separators of the ISA ``head`` opens with, when each is one ASCII
    byte the reader takes as such (no letter, digit or blank but a line break ending segments, no two
    alike); else None."""
    if len(head) < 4 or head[:3] != b"ISA":
        return None
    sep = head[3:4]
    q = 3
    for _ in range(15):
        q = head.find(sep, q + 1)
        if q < 0:
            return None
    comp, term = head[q + 1: q + 2], head[q + 2: q + 3]
    if any(len(c) != 1 or c[0] > 127 or c.isalnum() for c in (sep, comp, term)) or len({sep, comp, term}) != 3:
        return None
    if sep in _BLANK_BYTES or comp in _BLANK_BYTES or (term in _BLANK_BYTES and term not in b"\r\n"):
        return None  # a line break may end segments; other blanks are the reader's to judge
    return sep.decode(), comp.decode(), term.decode()


def _stripped(rows: pa.ListArray, at: np.ndarray, k: int) -> list[str]:
    """Element ``k`` of the segments at rows ``at``, stripped as the reader strips envelope numbers ("" where
    absent)."""
    offsets = rows.offsets.to_numpy(zero_copy_only=False)
    start = offsets[at].astype(np.int64)
    ok = offsets[at + 1] - start > k
    values = rows.values.take(pa.array(np.where(ok, start + k, 0))).to_pylist()
    return [v.strip() if good else "" for v, good in zip(values, ok.tolist(), strict=True)]


def _element_of(lists: pa.Array | pa.ChunkedArray, rows: np.ndarray, k: int) -> pa.Array:
    """element(lists.take(rows), k) (parsers.sent_documents): element ``k`` of the segments at ``rows``,
    trimmed, null where absent or empty; read from the elements in place (no list taken per segment)."""
    if isinstance(lists, pa.ChunkedArray):
        lists = lists.combine_chunks()
    rows = np.asarray(rows, np.int64)
    if not len(lists.values) or not len(rows):
        return element(lists.take(pa.array(rows, pa.int64())), k)
    offsets = lists.offsets.to_numpy(zero_copy_only=False)
    start = offsets[rows]
    ok = offsets[rows + 1] - start > k
    if lists.null_count:  # a null list has no elements (its offsets may say otherwise)
        ok &= lists.is_valid().to_numpy(zero_copy_only=False)[rows]
    values = pc.utf8_trim_whitespace(lists.values.take(pa.array(np.where(ok, start + k, 0), pa.int64())))
    keep = ok & pc.fill_null(pc.not_equal(values, ""), False).to_numpy(zero_copy_only=False)
    return pc.if_else(pa.array(keep), values, pa.scalar(None, pa.string()))


def fulfilled_keys(sent: pa.Table) -> list[tuple[str, str]]:
    """The (partner, doc_key) of the 856 and 810 sets among ``sent`` (StateStore.sent_sets_of's rows): those
    sent_sets' ``refs`` can name (a shipment id, an invoice number), in their order, each once."""
    t = sent.filter(pc.is_in(sent["set_id"], value_set=pa.array(["810", "856"])))
    return list(dict.fromkeys(zip(t["partner"].to_pylist(), t["doc_key"].to_pylist(), strict=True)))


def sent_sets(sent: pa.Table, refs: pa.Table | None = None, *, bills: bool = False) -> pa.Table:
    """SENT_SETS: the delivered sets a partner acknowledges (855, 865, 856, 810). ``refs``: optional
    (partner, doc_key, document_ref) naming a set's shipment id or invoice number. ``bills``: with a last
    column ``bill_of_lading`` beside SENT_SETS' (an 856's, from ``refs``), that an 824 may quote (OTI02 BM)."""
    t = sent.filter(pc.is_in(sent["set_id"], value_set=pa.array(PARTNER_ACKED)))
    extra = ["bill_of_lading"] if bills and refs is not None and "bill_of_lading" in refs.column_names else []
    if refs is not None and refs.num_rows:
        t = t.join(refs.select(["partner", "doc_key", "document_ref", *extra]), ["partner", "doc_key"],
                   join_type="left outer", use_threads=False)
    else:
        t = t.append_column("document_ref", pa.nulls(t.num_rows, pa.string()))
        if extra:
            t = t.append_column("bill_of_lading", pa.nulls(t.num_rows, pa.string()))
    t = t.sort_by([("partner", "ascending"), ("sent_at", "ascending"), ("document_id", "ascending"),
                   ("position", "ascending")])
    functional = pc.take(pa.array(list(FUNCTIONAL_IDS.values())),
                         pc.index_in(t["set_id"], value_set=pa.array(list(FUNCTIONAL_IDS))))
    out = pa.table({
        "partner": t["partner"], "doc_type": t["set_id"], "functional_id": functional, "isa13": t["isa13"],
        "gs06": t["gs06"], "st02": t["st02"], "sent_at": t["sent_at"], "file": t["file"],
        "po_number": pc.if_else(pc.equal(pc.fill_null(t["po_number"], ""), ""), pa.scalar(None, pa.string()),
                                t["po_number"]),
        "document_ref": pc.coalesce(t["document_ref"], t["po_number"]),
    }).cast(SENT_SETS)
    return out.append_column("bill_of_lading", pc.cast(t["bill_of_lading"], pa.string())) if extra else out


def recorded_sets(recorded: pa.Table) -> pa.Table:
    """SENT_SETS of the 810s and 856s other systems of ours sent (RECORDED_LINES, `orderbridge record`) that went
    through EDI: one row per set carrying its control numbers (GS06 and ST02, the ISA13 beside them) and the time
    it went (its GS04/GS05 unless given), in the order recorded; the set's first line names its PO. A partner's
    997 may answer them (engine.partner_acks.answered_recorded keeps those answered)."""
    wanted = pc.and_(pc.is_in(recorded["doc_type"], value_set=pa.array(["810", "856"])), pc.and_(
        pc.is_valid(recorded["sent_at"]), pc.and_(
            pc.fill_null(pc.not_equal(pc.utf8_trim_whitespace(recorded["gs06"]), ""), False),
            pc.fill_null(pc.not_equal(pc.utf8_trim_whitespace(recorded["st02"]), ""), False))))
    t = recorded.filter(wanted)
    if not t.num_rows:
        return SENT_SETS.empty_table()
    key, _ = encode(t["partner"], t["sha256"], t["doc_type"], t["isa13"], t["gs06"], t["st02"])
    t = t.take(pa.array(np.sort(first_rows(key)), pa.int64()))
    functional = pc.take(pa.array(list(FUNCTIONAL_IDS.values())),
                         pc.index_in(t["doc_type"], value_set=pa.array(list(FUNCTIONAL_IDS))))
    return pa.table({
        "partner": t["partner"], "doc_type": t["doc_type"], "functional_id": functional,
        "isa13": pc.fill_null(t["isa13"], ""), "gs06": t["gs06"], "st02": t["st02"], "sent_at": t["sent_at"],
        "file": t["file"], "po_number": t["po_number"], "document_ref": t["document_ref"],
    }).cast(SENT_SETS)


def received_findings(findings: pa.Table) -> pa.Table:
    """RECEIVED_FINDINGS: findings recorded while reading and deciding what partners sent. Not a partner's
    verdict on a document of ours (schemas.codes_finance.PARTNER_VERDICTS: its 997, TA1 or 824 rejecting our 855,
    856 or 810, recorded at intake of the partner's file): that is no error in what the partner sent (intake's
    count and ``inspect`` leave it out too); the reconciliation books it as DOCUMENT_REJECTED, and the dashboard's
    chargeback risk counts a rejected 856 or 810."""
    t = findings.filter(pc.and_(pc.is_in(findings["stage"], value_set=pa.array(RECEIVED_STAGES)),
                                pc.invert(pc.is_in(findings["code"], value_set=pa.array(sorted(PARTNER_VERDICTS))))))
    po = pc.if_else(pc.equal(pc.fill_null(t["po_number"], ""), ""), pa.scalar(None, pa.string()), t["po_number"])
    return pa.table({"partner": t["partner"], "code": t["code"], "severity": t["severity"], "po_number": po,
                     "file": t["file"]}).cast(RECEIVED_FINDINGS)


def only_partners(table: pa.Table, partners: Iterable[str]) -> pa.Table:
    """Rows of partners that have a profile (a partner removed from the workspace drops out)."""
    keep = pc.is_in(table["partner"], value_set=pa.array(sorted(set(partners)), pa.string()))
    return table if pc.all(keep).as_py() is not False else table.filter(keep)  # all kept: no copy


# --- releases (schemas.order_keys): a document naming a PO and its release -----------------------------
def _named_releases(rows: pa.Table) -> pa.Table:
    """ACK rows (_ack_rows) with po_number the release key of the release their 855 (BAK05) or 865 (BCA04)
    answers (held_releases keeps it only for a release held as an order of its own)."""
    at = rows.schema.get_field_index("po_number")
    keyed = release_keys(rows["po_number"], rows["release"])
    return rows if keyed is rows["po_number"] else rows.set_column(at, rows.schema.field(at), keyed)


def ref_keyed_answers(rows: pa.Table, sent: pa.Table | None) -> pa.Table:
    """ACK rows (_ack_rows) with po_number the order key we answered in their set when that order is told
    apart by a reference (schemas.order_keys.ref_key: its 855 names BEG03 only, BAK03, and the reference
    only where the partner's guide has a REF for it), or is a blanket keyed apart from the release holding its PO
    number (blanket_key: its 855 names BEG03 alone, the blanket sending no BEG04, so BAK03 alone would name that
    release): the key our sent set was recorded for (``sent``, SENT_ROWS, by partner, ISA13, GS06 and ST02). The
    rows themselves when no such set was sent."""
    if sent is None or not rows.num_rows or not sent.num_rows:
        return rows
    keyed = sent.filter(pc.fill_null(pc.or_(pc.match_substring(sent["po_number"], SEP + REF),
                                            pc.ends_with(sent["po_number"], SEP + BLANKET)), False))
    if not keyed.num_rows:
        return rows
    by_set = {tuple(r[:4]): r[4] for r in zip(*(keyed[c].to_pylist() for c in (
        "partner", "isa13", "gs06", "st02", "po_number")), strict=True)}
    pos = rows["po_number"].to_pylist()
    new = [key if (key := by_set.get(at)) is not None and x12_po(key) == po else po
           for at, po in zip(zip(*(rows[c].to_pylist() for c in ("partner", "isa13", "gs06", "st02")), strict=True),
                             pos, strict=True)]
    if new == pos:
        return rows
    at = rows.schema.get_field_index("po_number")
    return rows.set_column(at, rows.schema.field(at), pa.array(new, pa.string()))


def held_releases(table: pa.Table, lines: pa.Table, releases: Mapping[tuple[str, str], str] | None = None
                  ) -> pa.Table:
    """``table`` (partner, po_number) with each release key that no order holds read as its PO number when
    that PO's order keyed by the PO number is that release (the first one received, or every one of a store
    written before releases were told apart): ``releases``, (partner, PO) -> its 850's BEG04 (order_releases;
    an order absent has none); None: every such key is read so. A release no order is stays as it is (no
    order's line: an 865 refusing an 860 for a release never received)."""
    pos = table["po_number"]
    keyed = pc.fill_null(pc.match_substring(pos, SEP), False)
    if not pc.any(keyed).as_py():
        return table
    held = set(zip(lines["partner"].to_pylist(), lines["po_number"].to_pylist(), strict=True))

    def read(partner: str, key: str) -> str:
        if (partner, key) in held:
            return key
        po = x12_po(key)
        return po if releases is None or releases.get((partner, po), "") == key_release(key) else key

    fixed = [read(p, po) if k else po for p, po, k in zip(
        table["partner"].to_pylist(), pos.to_pylist(), keyed.to_pylist(), strict=True)]
    at = table.schema.get_field_index("po_number")
    return table.set_column(at, table.schema.field(at), pa.array(fixed, pa.string()))


def order_releases(order_tables: Iterable[pa.Table]) -> dict[tuple[str, str], str]:
    """(partner, order key) -> its 850's BEG04, of the orders keyed by their PO number that give one
    (stored ORDERS tables, RELEASE_COLUMNS): which release the first order of a PO is (held_releases)."""
    out: dict[tuple[str, str], str] = {}
    for t in order_tables:
        given = pc.fill_null(pc.not_equal(pc.fill_null(t["release_number"], ""), ""), False)
        if pc.any(given).as_py():
            for r in t.filter(given).select(RELEASE_COLUMNS).to_pylist():
                if SEP not in r["po_number"]:
                    out[(r["partner"], r["po_number"])] = r["release_number"].strip()
    return out
