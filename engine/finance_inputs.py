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
  ACKNOWLEDGED  the ACK parts of a decided line (order_lines.ack, "+"-joined) as engine.answer wrote
                them: BP = allocated units, IB = backordered units (ACK05 = the line's promised date),
                IR = rejected units, a single code = the quantity acknowledged; ACK05 of a part that is
                not backordered = the requested ship date, or the day the answer went out when that
                date had passed (engine.answer.line_statuses); price = our price (IP) else theirs. Each
                row names the PO's latest delivered 855/865 (by delivery time, then document).
  SENT_SETS     every delivered 855, 865, 856 and 810 set with its ISA13/GS06/ST02, file and delivery
                time; functional id from ST01; document_ref = shipment id / invoice number when known,
                else the PO.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from schemas.functional_acks import SENT_SETS
from schemas.orders import MONEY, QTY
from schemas.reconciliation import ACKNOWLEDGED, ORDERED, RECEIVED_FINDINGS

FUNCTIONAL_IDS = {"855": "PR", "865": "CA", "856": "SH", "810": "IN"}
PARTNER_ACKED = tuple(FUNCTIONAL_IDS)  # the sets a partner's 997/999 acknowledges
ANSWERS = ("855", "865")
OUR_997 = ("997",)
ORDER_CANCELLED = ("po_cancelled", "change_cancelled")  # the whole order cancelled (its lines: cancelled)
REVISED = ("change_applied", "po_replaced")  # a new revision (a line it leaves out: deleted)
CANCEL_EVENTS = ORDER_CANCELLED + REVISED
ENDED_LINES = ("cancelled", "deleted")
RECEIVED_STAGES = ("intake", "decide", "recheck")  # findings about what partners sent
SPLIT = {"BP": "allocated", "IB": "backordered", "IR": "rejected"}
_KEY = ["partner", "po_number"]
TIME = pa.timestamp("s")


def _latest(table: pa.Table, keys: list[str], by: list[str]) -> pa.Table:
    """The last row per ``keys`` when sorted by ``by`` (ascending)."""
    if not table.num_rows:
        return table
    ordered = table.sort_by([(k, "ascending") for k in [*keys, *by]])
    code = pc.binary_join_element_wise(*(pc.cast(ordered[k], pa.string()) for k in keys), "\x1f").to_numpy(
        zero_copy_only=False)
    last = np.r_[code[1:] != code[:-1], True]
    return ordered.filter(pa.array(last))


def requested_dates(order_tables: Iterable[pa.Table]) -> pa.Table:
    """(partner, po_number, order_ref, requested_ship_date) from stored ORDERS tables (connectors.order_store)."""
    parts = [t.select(["partner", "po_number", "order_ref", "requested_ship_date"]) for t in order_tables]
    if not parts:
        return pa.table({"partner": pa.array([], pa.string()), "po_number": pa.array([], pa.string()),
                         "order_ref": pa.array([], pa.string()), "requested_ship_date": pa.array([], pa.date32())})
    return pa.concat_tables(parts).group_by(["partner", "po_number", "order_ref"], use_threads=False).aggregate(
        [("requested_ship_date", "min")]).rename_columns(["partner", "po_number", "order_ref", "requested_ship_date"])


def _with_requested(orders: pa.Table, requested: pa.Table | None) -> pa.Table:
    if requested is None or not requested.num_rows:
        return orders.append_column("requested_ship_date", pa.nulls(orders.num_rows, pa.date32()))
    return orders.join(requested, ["partner", "po_number", "order_ref"], join_type="left outer")


def ordered(orders: pa.Table, lines: pa.Table, events: pa.Table, sent: pa.Table,
            requested: pa.Table | None = None) -> pa.Table:
    """ORDERED from connectors.finance_store's ORDER_ROWS, LINE_ROWS, the history's CANCEL_EVENTS
    (EVENT_ROWS) and our delivered 997s (SENT_ROWS; other sets are ignored)."""
    heads = _with_requested(orders, requested)
    # our 997 for the 850's group: delivered sets answering its file, interchange and group
    fa = sent.filter(pc.is_in(sent["set_id"], value_set=pa.array(OUR_997)))
    fa = fa.group_by(["partner", "source_sha256", "answers_isa13", "answers_gs06"], use_threads=False).aggregate(
        [("sent_at", "min")]).rename_columns(["partner", "source_sha256", "isa13", "gs06", "fa_sent_at"])
    heads = heads.join(fa, ["partner", "source_sha256", "isa13", "gs06"], join_type="left outer")
    heads = heads.select(["partner", "po_number", "po_date", "currency", "received_at", "requested_ship_date",
                          "fa_sent_at", "source_file", "isa13", "gs06", "st02"])
    t = lines.join(heads, _KEY, join_type="inner").sort_by([("partner", "ascending"), ("po_number", "ascending"),
                                                           ("line_number", "ascending")])
    cancelled_at = _cancel_times(t, events)
    ended = pc.is_in(t["state"], value_set=pa.array(ENDED_LINES))
    return pa.table({
        "partner": t["partner"], "po_number": t["po_number"], "line_number": t["line_number"],
        "line_id": t["line_id"], "sku": t["sku"], "unit": t["unit"],
        "quantity": pc.cast(t["ordered"], QTY), "unit_price": pc.cast(t["unit_price"], MONEY),
        "line_status": t["state"],
        "cancelled_at": pc.if_else(ended, cancelled_at, pa.scalar(None, TIME)),
        "revision": pc.subtract(pc.fill_null(t["revision"], 1), 1),
        "po_date": t["po_date"], "requested_ship_date": t["requested_ship_date"], "received_at": t["received_at"],
        "fa_sent_at": t["fa_sent_at"], "currency": t["currency"],
        "file": t["source_file"], "isa13": t["isa13"], "gs06": t["gs06"], "st02": t["st02"],
    }).cast(ORDERED)


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
    joined = rows.join(whole, _KEY, join_type="left outer").join(same, [*_KEY, "revision"], join_type="left outer")
    joined = joined.join(last, _KEY, join_type="left outer").sort_by("_row")
    cancelled = pc.equal(t["state"], "cancelled")
    deleted_at = pc.coalesce(joined["revised_at"], joined["last_at"])
    return pc.if_else(cancelled, pc.coalesce(joined["cancel_at"], deleted_at),
                      pc.coalesce(deleted_at, joined["cancel_at"])).combine_chunks()


def acknowledged(orders: pa.Table, lines: pa.Table, sent: pa.Table, requested: pa.Table | None = None) -> pa.Table:
    """ACKNOWLEDGED: every ACK part of the decided lines of POs with a delivered 855/865 (SENT_ROWS)."""
    answers = sent.filter(pc.and_(pc.is_in(sent["set_id"], value_set=pa.array(ANSWERS)),
                                  pc.not_equal(pc.fill_null(sent["po_number"], ""), "")))
    if not answers.num_rows or not lines.num_rows:
        return ACKNOWLEDGED.empty_table()
    latest = _latest(answers, _KEY, ["sent_at", "document_id", "position"]).select(
        [*_KEY, "set_id", "sent_at", "file", "isa13", "gs06", "st02"])
    heads = _with_requested(orders.select(["partner", "po_number", "order_ref"]), requested).drop_columns(
        ["order_ref"])
    decided = lines.filter(pc.not_equal(pc.fill_null(lines["ack"], ""), ""))
    t = decided.join(latest, _KEY, join_type="inner").join(heads, _KEY, join_type="left outer")
    t = t.sort_by([("partner", "ascending"), ("po_number", "ascending"), ("line_number", "ascending")])
    if not t.num_rows:
        return ACKNOWLEDGED.empty_table()
    parts = pc.split_pattern(t["ack"], "+")
    counts = pc.list_value_length(parts).to_numpy(zero_copy_only=False)
    row = np.repeat(np.arange(t.num_rows), counts)
    code = pc.list_flatten(parts)
    x = t.take(pa.array(row, pa.int64()))
    split = pa.array(counts[row] > 1)
    units = {k: pc.cast(x[col], pa.string()) for k, col in SPLIT.items()}
    part_qty = pc.case_when(pc.make_struct(pc.equal(code, "BP"), pc.equal(code, "IB"), pc.equal(code, "IR")),
                            units["BP"], units["IB"], units["IR"])
    whole_qty = pc.if_else(split, units["BP"], x["ordered"])  # a single code: the quantity acknowledged
    qty = pc.if_else(pc.is_in(code, value_set=pa.array(list(SPLIT))), part_qty, whole_qty)
    ir_none = pc.and_(pc.equal(code, "IR"), pc.equal(units["IR"], "0"))
    qty = pc.if_else(ir_none, pa.scalar(None, pa.string()), qty)  # a refusal without a count: as ordered
    sent_day = pc.cast(x["sent_at"], pa.date32())
    req = x["requested_ship_date"]
    ship = pc.if_else(pc.fill_null(pc.greater_equal(req, sent_day), False), req, sent_day)
    promised = pc.case_when(pc.make_struct(pc.equal(code, "IB"), pc.equal(code, "IR")), x["promised_date"],
                            pa.scalar(None, pa.date32()), ship)
    price = pc.coalesce(pc.cast(x["ack_price"], MONEY), pc.cast(x["unit_price"], MONEY))
    return pa.table({
        "partner": x["partner"], "po_number": x["po_number"], "line_number": x["line_number"],
        "doc_type": x["set_id"], "ack_code": code, "quantity": pc.cast(qty, QTY), "unit": x["unit"],
        "unit_price": price, "promised_date": promised, "sent_at": x["sent_at"],
        "file": x["file"], "isa13": x["isa13"], "gs06": x["gs06"], "st02": x["st02"],
    }).cast(ACKNOWLEDGED)


def sent_sets(sent: pa.Table, refs: pa.Table | None = None) -> pa.Table:
    """SENT_SETS: the delivered sets a partner acknowledges (855, 865, 856, 810). ``refs``: optional
    (partner, doc_key, document_ref) naming a set's shipment id or invoice number."""
    t = sent.filter(pc.is_in(sent["set_id"], value_set=pa.array(PARTNER_ACKED)))
    if refs is not None and refs.num_rows:
        t = t.join(refs.select(["partner", "doc_key", "document_ref"]), ["partner", "doc_key"], join_type="left outer")
    else:
        t = t.append_column("document_ref", pa.nulls(t.num_rows, pa.string()))
    t = t.sort_by([("partner", "ascending"), ("sent_at", "ascending"), ("document_id", "ascending"),
                   ("position", "ascending")])
    functional = pc.take(pa.array(list(FUNCTIONAL_IDS.values())),
                         pc.index_in(t["set_id"], value_set=pa.array(list(FUNCTIONAL_IDS))))
    return pa.table({
        "partner": t["partner"], "doc_type": t["set_id"], "functional_id": functional, "isa13": t["isa13"],
        "gs06": t["gs06"], "st02": t["st02"], "sent_at": t["sent_at"], "file": t["file"],
        "po_number": pc.if_else(pc.equal(pc.fill_null(t["po_number"], ""), ""), pa.scalar(None, pa.string()),
                                t["po_number"]),
        "document_ref": pc.coalesce(t["document_ref"], t["po_number"]),
    }).cast(SENT_SETS)


def received_findings(findings: pa.Table) -> pa.Table:
    """RECEIVED_FINDINGS: findings recorded while reading and deciding what partners sent."""
    t = findings.filter(pc.is_in(findings["stage"], value_set=pa.array(RECEIVED_STAGES)))
    po = pc.if_else(pc.equal(pc.fill_null(t["po_number"], ""), ""), pa.scalar(None, pa.string()), t["po_number"])
    return pa.table({"partner": t["partner"], "code": t["code"], "severity": t["severity"], "po_number": po,
                     "file": t["file"]}).cast(RECEIVED_FINDINGS)


def only_partners(table: pa.Table, partners: Iterable[str]) -> pa.Table:
    """Rows of partners that have a profile (a partner removed from the workspace drops out)."""
    return table.filter(pc.is_in(table["partner"], value_set=pa.array(sorted(set(partners)), pa.string())))
