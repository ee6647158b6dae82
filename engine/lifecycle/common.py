"""What every lifecycle planner shares: outbound documents as PlannedDocuments, per-order fault
isolation (a failure while planning one order becomes that order's finding and hold), and the
checks a plan passes before it leaves the engine.

Pure: no clock (times come in as ISO strings), no I/O.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engine.envelope import Envelope, addressed, body_chars, first_fit, render_body
from engine.lifecycle.table import TransitionRefused, move, next_state
from engine.process import OutDoc
from schemas.findings import finding
from schemas.grouping import in_key_order
from schemas.lifecycle import (
    DECIDED_EVENTS,
    DECIDED_ORDERS,
    Clock,
    DecidedOrders,
    EventKind,
    FindingRecord,
    OrderRecord,
    OrderState,
    Plan,
    PlannedDocument,
    PlannedSet,
)
from schemas.orders import ELEMENTS_SEP
from schemas.profile import PartnerProfile

SET_IDS = {"FA": "997", "PR": "855", "RS": "870", "CA": "865"}


def findings_said(found: Sequence, *, most: int = 5, limit: int = 500) -> str:
    """The first ``most`` findings of a document that failed validation, "CODE message" each, joined by "; " and
    cut at ``limit`` characters, each message's closing period left off (the sentence they go into closes it:
    "failed validation: ... (19 characters)." not "...characters).."; ASN_NOT_BUILT, INVOICE_NOT_BUILT)."""
    return "; ".join(f"{f.code} {f.message.rstrip().rstrip('.')}" for f in found[:most])[:limit]


def closed(text: str) -> str:
    """``text`` ending in one period: a reason that already ends a sentence (an exception's text, a message) gets
    none added."""
    text = text.rstrip()
    return text if text.endswith(".") else text + "."


def planned_document(doc: OutDoc, *, partner: str, source_sha256: str = "",
                     envelope: Envelope | None = None) -> PlannedDocument:
    """An engine OutDoc (997, TA1, 855, 865) as a PlannedDocument: one PlannedSet per body; the first
    keeps the document's key, further bodies get ``key#n``. 997/TA1 keys name the interchange and
    group they answer (engine.process builds them as TYPE:sha:ISA13[:GS06]:start). With the partner's
    ``envelope``, a 997 comes rendered (its sets' text, and the delimiters the renderer would choose:
    the first set no value uses), as a planner renders its 855s; a 997 no set fits keeps its segments
    (the store holds it)."""
    parts = doc.doc_key.split(":")
    isa13 = parts[2] if doc.doc_type in ("997", "TA1") and len(parts) > 3 else ""
    gs06 = parts[3] if doc.doc_type == "997" and len(parts) > 4 else ""
    po = ",".join(doc.po_numbers)
    if doc.doc_type == "TA1":
        sets = (PlannedSet(doc.doc_key, (), po, source_sha256, isa13, gs06),)
        return PlannedDocument(partner, doc.doc_type, doc.functional_id, sets, tuple(doc.ta1), to=doc.to)
    keys = [doc.doc_key if i == 0 else f"{doc.doc_key}#{i + 1}" for i in range(len(doc.bodies))]
    d = first_fit(addressed(envelope, doc.to), body_chars(doc.bodies)) \
        if envelope is not None and doc.doc_type == "997" else None
    if d is not None:
        sets = tuple(PlannedSet(key, (), po, source_sha256, isa13, gs06, text=render_body(body, d),
                                segments=len(body)) for key, body in zip(keys, doc.bodies, strict=True))
        return PlannedDocument(partner, doc.doc_type, doc.functional_id, sets, tuple(doc.ta1), delimiters=d,
                               to=doc.to)
    sets = tuple(PlannedSet(key, tuple(tuple(seg) for seg in body), po, source_sha256, isa13, gs06)
                 for key, body in zip(keys, doc.bodies, strict=True))
    return PlannedDocument(partner, doc.doc_type, doc.functional_id, sets, tuple(doc.ta1), to=doc.to)


def transaction_set(doc_type: str, functional_id: str, doc_key: str, body: list, *, partner: str, po_number: str,
                    source_sha256: str = "") -> PlannedDocument:
    """One 855/865 set in its own interchange (today's delivery: one document per set)."""
    return PlannedDocument(partner, doc_type, functional_id,
                           (PlannedSet(doc_key, tuple(tuple(seg) for seg in body), po_number, source_sha256),))


# --- per-order fault isolation ----------------------------------------------------------------------
def isolated(record: OrderRecord | None, build: Callable[[], Plan], *, at: str, run_id: str, stage: str,
             partner: str = "", po_number: str = "") -> Plan:
    """``build()``'s plan for one order, checked; or, when it fails, that order's finding instead:
    a refused transition leaves the order untouched (ORDER_TRANSITION_REFUSED); any other failure
    holds it for ops (ORDER_DECISION_FAILED). Every other order is planned as usual."""
    try:
        plan = build()
        check_plan(plan)
        return plan
    except Exception as exc:  # noqa: BLE001 - one order's failure must not stop the others
        return contain(record, exc, at=at, run_id=run_id, stage=stage, partner=partner, po_number=po_number)


def contain(record: OrderRecord | None, exc: BaseException, *, at: str, run_id: str, stage: str,
            partner: str = "", po_number: str = "") -> Plan:
    """The plan that replaces one order's failed planning (see ``isolated``)."""
    partner = record.partner if record else partner
    po_number = record.po_number if record else po_number
    if isinstance(exc, TransitionRefused):
        f = finding("ORDER_TRANSITION_REFUSED", f"PO {po_number}: {exc}; the order was left as it was.",
                    value=exc.event.value)
        return Plan(findings=(FindingRecord(f, partner, po_number, "order unchanged", stage),))
    return failure_plan(record, exc, at=at, run_id=run_id, stage=stage, partner=partner, po_number=po_number)


def failure_plan(record: OrderRecord | None, exc: BaseException, *, at: str, run_id: str, stage: str,
                 partner: str = "", po_number: str = "") -> Plan:
    """ORDER_DECISION_FAILED for the order, which is held for ops with that reason (when it exists)."""
    why = f"deciding this order failed ({type(exc).__name__}: {exc})"[:500]
    f = finding("ORDER_DECISION_FAILED", f"PO {po_number}: {why}; it is held for ops, every other order went on.")
    if record is None or next_state(record.state, EventKind.DECISION_FAILED) is None:
        return Plan(findings=(FindingRecord(f, partner, po_number, "nothing planned for this order", stage),))
    t = move(record, EventKind.DECISION_FAILED, at=at, run_id=run_id, note=why,
             hold_codes=("ORDER_DECISION_FAILED",), hold_reasons=(why,))
    return Plan(transitions=(t,), findings=(FindingRecord(f, partner, po_number, "order held for ops", stage),))


class PlanError(Exception):
    """A plan that would break the store's invariants (e.g. a line number twice in one order)."""


def check_plan(plan: Plan) -> None:
    """What the store would refuse, found before it gets there (so it stays this order's problem)."""
    for ol in plan.lines:
        numbers = [ln.line_number for ln in ol.lines]
        if len(numbers) != len(set(numbers)):
            dup = sorted(n for n, c in Counter(numbers).items() if c > 1)
            raise PlanError(f"PO {ol.po_number} has line number(s) {dup} twice")
    for rs in plan.reservations:
        places = [(r.line_number, r.warehouse) for r in rs.rows]
        if len(places) != len(set(places)):
            raise PlanError(f"PO {rs.po_number} reserves one line twice in one warehouse")
        if any(r.quantity < 0 for r in rs.rows):
            raise PlanError(f"PO {rs.po_number} has a negative reservation")
    keys = [s.doc_key for d in plan.documents for s in d.sets]
    if len(keys) != len(set(keys)):
        raise PlanError("a document key is planned twice")


def first_rows(table: pa.Table, keys: list[str]) -> pa.Table:
    """The first row of each ``keys`` group, in the table's order (a file that repeats an interchange
    repeats every row of it). Rows in strictly ascending key order (a night's stored files: POs and
    their lines in order) are each the first of their group: the table itself, with no grouping."""
    if in_key_order(table, keys, strict=True):
        return table
    # the row numbers from numpy (pa.array over a range builds them one Python int at a time)
    indexed = table.select(keys).append_column("_row", pa.array(np.arange(table.num_rows, dtype=np.int64)))
    first = indexed.group_by(keys, use_threads=False).aggregate([("_row", "min")])["_row_min"]
    if len(first) == table.num_rows:
        return table
    return table.take(pc.take(first, pc.sort_indices(first)))




def moved_orders(records: Mapping[tuple[str, str], object], moved: Mapping[tuple[str, str], OrderState],
                 events: Sequence[tuple], *, at: str, run_id: str) -> DecidedOrders:
    """Orders moved by the system's events, as columns (Plan.decided: the 810s' moves, the shipments'): per
    order (in the order of its first event) its state after them, set in place while it still has the state
    and revision read (``records``: key -> the record read, or what has its state and revision; every other
    column stays as stored: what move's record, written whole, stores); per event its history row
    (``events``: partner, PO, event, from, to, revision, note, doc key), in plan order."""
    text = str.__str__  # a StrEnum's text by str's own __str__
    keys, n, m = list(moved), len(moved), len(events)
    partner, po, event, before, to, revision, note, doc_key = (list(c) for c in zip(*events, strict=True))

    def same(value: str, count: int) -> pa.Array:
        return pa.repeat(pa.scalar(value, pa.string()), count)

    orders = pa.table({
        "partner": [k[0] for k in keys], "po_number": [k[1] for k in keys],
        "expect_state": [text(records[k].state) for k in keys],
        "expect_revision": pa.array([records[k].revision for k in keys], pa.int64()),
        "state": [text(moved[k]) for k in keys], "updated_at": same(at, n), "run_id": same(run_id, n),
        **{c: pa.nulls(n, DECIDED_ORDERS.field(c).type) for c in DECIDED_ORDERS.names[7:]}}, schema=DECIDED_ORDERS)
    history = pa.table({
        "partner": partner, "po_number": po, "at": same(at, m), "clock": same(text(Clock.RUN), m),
        "event": list(map(text, event)), "from_state": list(map(text, before)), "to_state": list(map(text, to)),
        "revision": pa.array(revision, pa.int64()), "actor": same("system", m), "note": note, "run_id": same(run_id, m),
        "document_key": doc_key}, schema=DECIDED_EVENTS)
    return DecidedOrders(orders, history)


def filled_per_partner(orders: pa.Table, column: str, values: Mapping[str, str]) -> pa.Table:
    """``orders`` (canonical ORDERS rows) with ``column`` set to its partner's entry of ``values`` where the PO left
    it empty (null or ""); the others, and the partners ``values`` does not name, as they are."""
    if not values or not orders.num_rows or column not in orders.column_names:
        return orders
    theirs = pc.take(pa.array(list(values.values()), pa.string()),
                     pc.index_in(orders["partner"], value_set=pa.array(list(values), pa.string())))
    sent = orders[column]
    unsent = pc.and_(pc.fill_null(pc.equal(sent, ""), True), pc.is_valid(theirs))
    return orders.set_column(orders.schema.get_field_index(column), column, pc.if_else(unsent, theirs, sent))


def with_agreed_fob(orders: pa.Table, profiles: Mapping[str, PartnerProfile]) -> pa.Table:
    """``orders`` with the FOB agreed with the partner ([fulfilment] agreed_fob, as fob_sent holds a PO's FOB) for
    each PO that sent none: what its 856 (asn.fob) and 810 (invoice.fob) state of the freight terms."""
    return filled_per_partner(orders, "fob_sent", {
        p: ELEMENTS_SEP.join(prof.fulfilment.agreed_fob) for p, prof in profiles.items() if prof.fulfilment.agreed_fob})
