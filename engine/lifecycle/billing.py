"""Billing's part of the lifecycle: which shipped units an 810 is due for (per the partner's policy:
one per shipment and PO, or one per PO once it shipped complete), the 810s themselves at the price we
acknowledged, and the orders' moves (invoiced_in_part, invoiced_in_full; closed once every 810 of
an invoiced order is delivered).

Pure. Three steps so that invoice numbers are taken inside the caller's transaction, exactly as many
as will be used (no gaps): ``invoices_due`` (what to bill), ``prepare_invoices`` (each 810 built once
without its number: one that fails is a finding, never a number), ``plan_invoices`` (numbered).
Never bills more than shipped nor a unit twice: the order line's shipped and invoiced quantities
bound every invoice (engine.invoice.order_810 refuses otherwise). The store's state comes in as
columns (``billed_lines``, ``shipments_to_bill``, ``line_texts``: light rows, no LineRecord per line;
``shipment_units``: the shipments' units per PO, what invoices_due bills, without a row object).
Each 810 is written once as text with the partner's first delimiter set when no value holds one of its
characters (``_text_invoice``), else built as segments by order_810 and rendered with the set the
store's renderer would choose; both give the same bytes (tests/lifecycle/test_billing_columns.py).
Given the store's and the canonical tables (``BillingTables``), the ordinary 810s (an order's only one
of the run) are written all at once per column, per partner - lines (engine.invoice_lines), heads and
tails (engine.invoice_heads) - with their invoice lines and their order lines' billing (``Batch810``,
taken as it is by plan_invoices); anything out of the ordinary is built one by one as above, with the
same bytes.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Container, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from itertools import chain, repeat
from operator import itemgetter
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engine.asn import MARK_FOR_COLUMNS, MARK_FOR_NAME2, REF_COLUMNS
from engine.bill_only import BILL_ONLY_USAGE, INVOICED_AGAIN_CONSEQUENCE, invoiced_again
from engine.columnar import cents_decimals, decimals
from engine.envelope import Envelope, body_chars, envelope_for, first_fit, render_body
from engine.invoice import (
    NO_SHARE,
    PO4_SENT,
    TERMS_COLUMNS,
    Body810,
    Order810,
    Split,
    charged,
    fob01,
    head_810,
    invoice_charges,
    invoice_head,
    money,
    order_810,
    tail_810,
    terms_from_customer,
    terms_from_order,
)
from engine.invoice_880 import FUNCTIONAL_ID as GP
from engine.invoice_880 import SET_ID as SET_880
from engine.invoice_880 import body_880
from engine.invoice_heads import heads_810, tails_810
from engine.invoice_lines import invoiced_texts, line_columns, runs
from engine.invoice_po_sacs import PoSac, line_money
from engine.invoice_taxes import Places, taxes_for
from engine.lifecycle.common import closed, filled_per_partner, findings_said, moved_orders, transaction_set
from engine.lifecycle.on_880 import HELD as HELD_NOT_ON_880
from engine.lifecycle.on_880 import held_finding, unstated
from engine.lifecycle.table import BILLABLE, TO_CLOSE, TransitionRefused, move, next_state
from engine.shipments import StoreDcs, shipment_method
from parsers.x12_writer import DelimiterCollision, x12_decimal, x12_text
from rules.outbound import echo_held_because, values_sent
from schemas.errors import DocumentError
from schemas.findings import Finding, finding
from schemas.fulfilment import Charge
from schemas.lifecycle import (
    ENDED_LINES,
    LINE_UPDATES,
    EventKind,
    FindingRecord,
    LineRecord,
    LineState,
    OrderRecord,
    OrderState,
    Plan,
    PlannedDocument,
    PlannedSet,
    decimal_text,
    memo_words,
)
from schemas.money_text import money_text
from schemas.orders import LINE_SHIP_TO, LINE_SHIP_TO_ADDRESS
from schemas.profile import PartnerProfile
from schemas.shipment_records import BatchLines, InvoicedLine, InvoiceRecord, ShipmentRecord
from schemas.units import (
    KILOGRAMS_PER,
    PRICE_PER_MEASURE,
    PRICE_PER_WEIGHT,
    basis_sent,
    billed_weight,
    catch_weight,
    in_whole_units,
    priced_per,
    promised_exactly,
    stated_basis,
    weight_in,
)
from schemas.x12 import Delimiters
from schemas.x12dict import built_by

Key = tuple[str, str]
STAGE = "invoicing"
PENDING_NUMBER = "0"  # BIG02 while an invoice is built before its number is taken
ZERO = Decimal(0)
ServiceNames = Mapping[str, Mapping[str, str]]  # warehouse id -> its own names of services (its service_levels)
Billed = dict[tuple[str, str], tuple[str, ...]]  # (warehouse, shipment id) -> doc keys of the 810s it waits for


# --- the store's state as billing reads it: columns in, light rows out ---------------------------------
class BilledLine(NamedTuple):
    """What billing reads of an order line (LineRecord's fields of the same names and meaning), built
    from the store's columns without a LineRecord per line."""

    partner: str
    po_number: str
    line_number: int
    line_id: str
    state: LineState
    unit: str
    unit_price: Decimal | None
    ack_price: Decimal | None
    allocated: int
    backordered: int
    shipped: Decimal
    invoiced: Decimal
    codes: tuple[str, ...] = ()  # the line's finding codes (IT105: schemas.units.stated_basis)
    priced_per: Decimal = Decimal(1)  # how many of its units its price is the price of (an 880's G17: on_880)
    unit_eaches: int = 0  # the eaches its unit holds, on a line priced per each in a pack (IT105: stated_basis)
    ordered: Decimal | None = None
    rejected: int = 0
    rejected_fraction: Decimal = Decimal(0)  # (LineRecord's: schemas.units.rejected_exactly)
    backordered_over: Decimal = Decimal(0)  # (LineRecord's: schemas.units.backordered_exactly)

    @property
    def promised_exact(self) -> Decimal:
        """What we promised, exactly (LineRecord.promised_exact: 12.5 for 12.5 LB of a measure stored as 12)."""
        if in_whole_units(self.ordered, self.rejected_fraction, self.backordered_over):
            return Decimal(self.allocated + self.backordered)
        return promised_exactly(self.ordered, self.allocated, self.backordered, self.rejected, self.rejected_fraction,
                                self.backordered_over)


class BilledOrder(NamedTuple):
    """What billing reads of an order (OrderRecord's fields of the same names and meaning): its state to
    bill and move it, its revision (a move applies while it holds), the stored canonical tables its rows
    are in; built from the store's rows without an OrderRecord per order (``billed_orders``)."""

    partner: str
    po_number: str
    state: OrderState
    revision: int
    order_ref: str
    lines_key: str
    order_type: str = ""  # BEG02: a memo type of the partner's ships without an 810 (``memo_order``)

    @property
    def key(self) -> Key:
        return (self.partner, self.po_number)

    def evolve(self, **changes) -> BilledOrder:
        """As OrderRecord.evolve."""
        return self._replace(**changes)


_ORDER_STATES = {s.value: s for s in OrderState}


def billed_orders(rows: Sequence[tuple[str, str, str, int, str, str, str]]) -> dict[Key, BilledOrder]:
    """connectors.state billing_orders' rows as BilledOrders per order."""
    return {(p, po): BilledOrder(p, po, _ORDER_STATES.get(state) or OrderState(state), revision, ref, key, kind)
            for p, po, state, revision, ref, key, kind in rows}


def memo_order(record: OrderRecord | BilledOrder | None, profile: PartnerProfile | None) -> bool:
    """The order is of a type its partner ships on memo ([fulfilment.invoice] memo_order_types, by its BEG02):
    consignment goods billed when the retailer sells them, never by an 810 for their shipment."""
    return (record is not None and profile is not None and bool(record.order_type)
            and record.order_type in profile.fulfilment.invoice.memo_order_types)


def plan_memo(records: Sequence[OrderRecord], profiles: Mapping[str, PartnerProfile], *, at: str,
              run_id: str) -> Plan:
    """Memo orders (``memo_order``) shipped in full move to shipped_on_memo: nothing waits for an 810 (their
    shipments were recorded with billing "memo", or passed over by invoices_due when they shared a shipment
    with an order billed). Others are left as they are."""
    transitions = [move(r, EventKind.ON_MEMO, at=at, run_id=run_id, note=memo_words(r.order_type))
                   for r in records if r.state == OrderState.SHIPPED and memo_order(r, profiles.get(r.partner))]
    return Plan(transitions=tuple(transitions))


class ShippedUnits(NamedTuple):
    """Units of an order line on a shipment (ShippedLine's fields billing reads)."""

    po_number: str
    line_number: int
    quantity: Decimal
    mark_for_store: str = ""  # the store its carton was marked for (ShippedLine's; "" none)


_LINE_STATES = {s.value: s for s in LineState}


def _grouped(rows: Sequence[tuple], runs: list[tuple[tuple, int, int]]) -> dict[tuple, tuple]:
    """``rows`` per key of their ``runs`` (engine.invoice_lines.runs), in row order, a run at a time."""
    out: dict[tuple, tuple] = {}
    for k, a, b in runs:
        out[k] = out[k] + tuple(rows[a:b]) if k in out else tuple(rows[a:b])
    return out


def billed_lines(table: pa.Table) -> dict[Key, tuple[BilledLine, ...]]:
    """connectors.state BILLING_LINE_COLUMNS rows (each order's lines together, by line number) as
    BilledLines per order (null quantities 0, null texts "")."""
    if not table.num_rows:
        return {}
    text = {c: table[c].to_pylist() for c in ("partner", "po_number", "line_number")}
    blank = {c: pc.fill_null(table[c], "").to_pylist() for c in ("line_id", "unit")}
    empty: tuple[str, ...] = ()
    stored = pc.fill_null(table["codes"], "").to_pylist() if "codes" in table.column_names else ()
    codes = [tuple(c for c in text.split(",") if c) if text else empty for text in stored] or \
        [empty] * table.num_rows
    count = {c: pc.fill_null(table[c], 0).to_pylist() if c in table.column_names else [0] * table.num_rows
             for c in ("allocated", "backordered", "rejected")}
    one, zero = Decimal(1), Decimal(0)
    many = decimals(table["priced_per"], null=one) if "priced_per" in table.column_names else [one] * table.num_rows
    eaches = pc.fill_null(table["unit_eaches"], 0).to_pylist() if "unit_eaches" in table.column_names else \
        [0] * table.num_rows
    ordered = decimals(table["ordered"]) if "ordered" in table.column_names else [None] * table.num_rows
    parts = {c: decimals(table[c], null=zero) if c in table.column_names else [zero] * table.num_rows
             for c in ("rejected_fraction", "backordered_over")}
    encoded = table["state"].combine_chunks().dictionary_encode()
    state_of = [_LINE_STATES.get(s) or LineState(s) for s in encoded.dictionary.to_pylist()]
    states = [state_of[i] for i in encoded.indices.to_pylist()]
    rows = list(map(tuple.__new__, repeat(BilledLine), zip(  # BilledLines without a Python call each
        text["partner"], text["po_number"], text["line_number"], blank["line_id"], states, blank["unit"],
        decimals(table["unit_price"]), decimals(table["ack_price"]), count["allocated"], count["backordered"],
        decimals(table["shipped"], null=zero), decimals(table["invoiced"], null=zero), codes, many, eaches, ordered,
        count["rejected"], parts["rejected_fraction"], parts["backordered_over"], strict=True)))
    return _grouped(rows, runs(table, ("partner", "po_number")))


def shipments_to_bill(heads: pa.Table, lines: pa.Table, *, with_lines: bool = True) -> list[ShipmentRecord]:
    """connectors.state billing_shipments' columns as ShipmentRecords (what billing reads of them: the
    shipment's keys, partner, date, BOL, billing status, carrier, service level and the 856's TD504 (carrier_scac,
    service_level, transport_method, when the heads have them); its
    lines as ShippedUnits, in position order; without them when not ``with_lines``: shipment_units gives their units
    per PO)."""
    if not heads.num_rows:
        return []
    units: Mapping[tuple, tuple] = {}
    if with_lines:
        po, n = (lines[c].to_pylist() for c in ("po_number", "line_number"))
        stores = pc.fill_null(lines["mark_for_store"], "").to_pylist() if "mark_for_store" in lines.column_names \
            else [""] * len(po)
        shipped = list(map(tuple.__new__, repeat(ShippedUnits),
                           zip(po, n, decimals(lines["quantity"]), stores, strict=True)))
        units = _grouped(shipped, runs(lines, ("warehouse", "shipment_id")))
    days: dict[str, date] = {}
    out = []
    names = ("warehouse", "shipment_id", "partner", "ship_date", "bill_of_lading", "billing")
    scacs, methods, levels = (heads[c].to_pylist() if c in heads.column_names else [""] * heads.num_rows
                              for c in ("carrier_scac", "transport_method", "service_level"))
    for w, s, partner, day, bol, status, scac, method, level in zip(*(heads[c].to_pylist() for c in names), scacs,
                                                                    methods, levels, strict=True):
        when = days.get(day) or days.setdefault(day, date.fromisoformat(day))
        out.append(ShipmentRecord(warehouse=w, shipment_id=s, partner=partner, ship_date=when,
                                  lines=units.get((w, s), ()), bill_of_lading=bol or "",  # type: ignore[arg-type]
                                  billing=status, carrier_scac=scac or "", transport_method=method or "",
                                  service_level=level or ""))
    return out


Units = dict[tuple[str, str], dict[str, dict[int, Decimal]]]  # (warehouse, shipment id) -> PO -> line -> units


def _codes(column) -> np.ndarray:
    """A column's values as int64 codes (equal values, equal codes; null its own code)."""
    encoded = pc.dictionary_encode(column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column)
    return np.asarray(pc.fill_null(encoded.indices, len(encoded.dictionary)).to_numpy(zero_copy_only=False), np.int64)


def shipment_units(lines: pa.Table) -> Units | None:
    """billing_shipments' lines as invoices_due sums them: per shipment, per PO (in the order its rows
    first name it), line number -> units shipped (its rows' quantities added in row order, each line
    where it first appears), from columns: a dict per shipment and PO, no row object. None when a
    quantity or line number is null (invoices_due reads the ShipmentRecords' lines then, as ever)."""
    n = lines.num_rows
    if not n:
        return {}
    if lines["quantity"].null_count or lines["line_number"].null_count:
        return None
    shipment = _codes(lines["warehouse"]) * (n + 1) + _codes(lines["shipment_id"])
    po_code = _codes(lines["po_number"])
    number = np.asarray(lines["line_number"].to_numpy(), np.int64)
    by_key = np.lexsort((number, po_code, shipment))  # stable: a line's rows in row order
    new = np.ones(n, bool)
    new[1:] = ((shipment[by_key][1:] != shipment[by_key][:-1]) | (po_code[by_key][1:] != po_code[by_key][:-1])
               | (number[by_key][1:] != number[by_key][:-1]))
    group = np.empty(n, np.int64)
    group[by_key] = np.cumsum(new) - 1  # per row: its (shipment, PO, line)
    first = by_key[new]  # per (shipment, PO, line): its first row
    order = np.sort(first)  # each (shipment, PO, line) where it first appears, in row order
    encoded = pc.dictionary_encode(lines["quantity"].combine_chunks())
    raw = [Decimal(t) for t in encoded.dictionary.to_pylist()]
    text = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), np.int64)
    sums = list(map([ZERO + q for q in raw].__getitem__, text[order].tolist()))  # ZERO + the first row's units
    if len(first) < n:  # a line on several rows of one shipment: the others' units added in row order
        at = np.empty(len(first), np.int64)
        at[group[order]] = np.arange(len(order))
        for row in np.flatnonzero(~np.isin(np.arange(n), first)).tolist():
            i = int(at[group[row]])
            sums[i] = sums[i] + raw[text[row]]
    numbers = number[order].tolist()
    ship_o, po_o = shipment[order], po_code[order]
    starts = np.flatnonzero(np.concatenate([[True], (ship_o[1:] != ship_o[:-1]) | (po_o[1:] != po_o[:-1])]))
    pick = pa.array(order[starts], pa.int64())  # each run's first row: its shipment and PO read once
    w, s, po = (lines[c].take(pick).to_pylist() for c in ("warehouse", "shipment_id", "po_number"))
    starts = starts.tolist()
    out: Units = {}
    for i, a, b in zip(range(len(starts)), starts, starts[1:] + [len(order)], strict=True):  # a shipment's PO
        per = out.get((w[i], s[i]))
        if per is None:
            per = out[(w[i], s[i])] = {}
        got = per.get(po[i])
        if got is None:
            per[po[i]] = dict(zip(numbers[a:b], sums[a:b], strict=True))
        else:  # the PO's rows come back after another PO's: its lines after the ones it has
            got.update(zip(numbers[a:b], sums[a:b], strict=True))
    return out


def order_shipments(shipments: Sequence[ShipmentRecord], units: Units | None = None) -> dict[Key, list[ShipmentRecord]]:
    """Per order, the shipments that carried it, in shipment order (each shipment's POs read once: from
    ``units``, shipment_units' reading, when given, else from its lines): what invoices_due's
    ``order_shipments`` takes."""
    out: dict[Key, list[ShipmentRecord]] = {}
    for s in shipments:
        for po in s.po_numbers if units is None else units.get((s.warehouse, s.shipment_id), ()):
            got = out.get((s.partner, po))
            if got is None:
                out[(s.partner, po)] = [s]
            else:
                got.append(s)
    return out


@dataclass(frozen=True, slots=True)
class InvoiceDue:
    """Units of one PO to bill: line number -> quantity; the shipment they left on (per-shipment
    invoicing) or none (per-order invoicing, once the order shipped complete)."""

    partner: str
    po_number: str
    quantities: Mapping[int, Decimal]
    shipment: ShipmentRecord | None = None
    shipments: tuple[ShipmentRecord, ...] = ()  # per order: the order's shipments (their dates and BOLs)
    # per order, billed before: the last shipment of the units billed now (warehouse:shipment id), units an
    # 860 after shipment cut that had left before it (SHIPPED_AFTER_CHANGE): a second 810 of its own
    again: str = ""
    # per shipment it bills for the first time: this PO's place among the POs whose 810s share its flat
    # charges per shipment, and their units on it (engine.invoice.invoice_charges' split); () none
    split: Split = ()
    # per store (InvoiceSettings.per "store"): the store its units were marked for, named in the 810's heading; ""
    # the PO's units on the shipment marked for no store (an 810 without a store); None another policy
    store: str | None = None

    @property
    def doc_key(self) -> str:
        if self.shipment is not None:
            return f"810:{self.shipment.warehouse}:{self.shipment.shipment_id}:{self.po_number}" + (
                f":store:{self.store}" if self.store is not None else "")
        return f"810:order:{self.po_number}" + (f":{self.again}" if self.again else "")


def invoices_due(*, shipments: Sequence[ShipmentRecord], invoiced_pos: set[tuple[str, str, str]],
                 records: Mapping[Key, OrderRecord | BilledOrder], lines: Mapping[Key, Sequence[LineRecord]],
                 order_shipments: Mapping[Key, Sequence[ShipmentRecord]],
                 profiles: Mapping[str, PartnerProfile], units: Units | None = None,
                 invoiced_keys: Container[str] | None = None,
                 carried: Container[tuple[str, str]] = frozenset()) -> tuple[list[InvoiceDue], Billed]:
    """What to invoice now, and the shipments whose units are all billed once these invoices are
    (shipment -> the doc keys of the invoices it waits for; its billing status becomes "invoiced").
    ``shipments``: recorded shipments not billed yet (billing "shipment" or "order"); ``invoiced_pos``:
    (warehouse, shipment id, PO) already on an 810; ``records`` and ``lines``: the orders they carried;
    ``order_shipments``: per order, its shipments (per-order invoicing names them); ``units``: the
    shipments' units per PO as shipment_units reads them (else summed from their lines). A partner billed per
    store (InvoiceSettings.per "store") has an 810 per shipment, PO and store its units were marked for, read from
    the shipments' lines (ShippedUnits.mark_for_store: shipments_to_bill with its lines); ``invoiced_keys``: the
    doc keys of the 810s already on these shipments (InvoiceRecord.doc_key), so a store billed is never billed
    again while another store of its PO, whose 810 was not built, is retried (None: a PO on an 810 of the
    shipment is billed, all its stores). ``carried``: the (warehouse, shipment id) of the later stops of multi-stop
    loads (engine.lifecycle.stops.later_stops): their flat charges per shipment are the load's, billed once on its
    first stop's 810, so their 810s' split names them NO_SHARE (per-order and per-unit charges as ever)."""
    due: list[InvoiceDue] = []
    billed: dict[tuple[str, str], tuple[str, ...]] = {}
    per_order: dict[Key, list[ShipmentRecord]] = defaultdict(list)
    for s in shipments:
        profile = profiles.get(s.partner)
        if profile is None or not profile.invoiced:
            continue
        shipped = None if units is None else units.get((s.warehouse, s.shipment_id))
        if s.billing == "order" or profile.fulfilment.invoice.per == "order":
            for po in s.po_numbers if shipped is None else shipped:
                if memo_order(records.get((s.partner, po)), profile):
                    continue  # shipped on memo: no 810 for it
                per_order[(s.partner, po)].append(s)
            continue
        if profile.fulfilment.invoice.per == "store":
            complete, waits = _per_store(s, invoiced_pos, invoiced_keys, records, profile, due)
            if complete:
                billed[(s.warehouse, s.shipment_id)] = waits
            continue
        if shipped is None:
            shipped = _lines_units(s)
        complete, waits = True, []
        pos: list[str] | None = None  # _split's reading of the shipment, made once for its POs
        for po, qty in shipped.items():
            if (s.warehouse, s.shipment_id, po) in invoiced_pos or memo_order(records.get((s.partner, po)), profile):
                continue  # billed, or shipped on memo: no 810 for it
            if records.get((s.partner, po)) is None or records[(s.partner, po)].state not in BILLABLE:
                complete = False
                continue
            if pos is None:
                pos, shares = list(shipped), _shares(shipped)
            due.append(InvoiceDue(s.partner, po, qty, shipment=s, split=((pos.index(po), shares),)))
            waits.append(due[-1].doc_key)
        if complete:
            billed[(s.warehouse, s.shipment_id)] = tuple(waits)
    for key in sorted(per_order):
        record = records.get(key)
        if record is None or record.state != OrderState.SHIPPED:
            continue  # per-order invoicing waits for the whole order to ship
        qty = {ln.line_number: ln.shipped - ln.invoiced for ln in lines.get(key, ())
               if ln.state not in ENDED_LINES and ln.shipped > ln.invoiced}
        waits: tuple[str, ...] = ()
        if qty:
            if any(ln.invoiced > 0 for ln in lines.get(key, ())):  # billed before: these units shipped since
                last = per_order[key][-1]
                due.append(InvoiceDue(*key, qty, shipments=tuple(per_order[key]),
                                      again=f"{last.warehouse}:{last.shipment_id}"))
            else:
                due.append(InvoiceDue(*key, qty, shipments=tuple(order_shipments.get(key, per_order[key]))))
            waits = (due[-1].doc_key,)
        for s in per_order[key]:
            billed[(s.warehouse, s.shipment_id)] = billed.get((s.warehouse, s.shipment_id), ()) + waits
    if any(profiles[d.partner].invoice_set == "880" for d in due):
        due = _dozens_together(due, billed, lines, profiles)
    return _shared(due, units, records, carried), billed


def _dozens_together(due: list[InvoiceDue], billed: Billed, lines: Mapping[Key, Sequence[LineRecord]],
                     profiles: Mapping[str, PartnerProfile]) -> list[InvoiceDue]:
    """``due`` with the per-shipment 880s a line's units make no statement on (on_880.unstated: 7 EA shipped at
    4.99 per dozen) billed together with the PO's next shipments' 880 of this run where their units together do
    (7 + 17 EA: 2 DZ): one 880 for those shipments (as a per-order 810 names them: doc key
    810:order:PO:warehouse:last shipment), each shipment waiting for it (``billed``, updated in place). One that no
    later shipment completes stays as it is: prepare_invoices holds it (INVOICE_HELD_NOT_ON_880), and the next run
    tries again with the shipments then due (its shipment stays unbilled until it is)."""
    groups: dict[Key, list[int]] = {}
    for i, d in enumerate(due):
        if d.shipment is not None and d.store is None and profiles[d.partner].invoice_set == "880":
            groups.setdefault((d.partner, d.po_number), []).append(i)
    merged: dict[int, InvoiceDue] = {}  # index of the last due of a run of them -> the one 880 billing them all
    gone: set[int] = set()
    for key, idx in groups.items():
        if len(idx) < 2:
            continue
        order_lines = lines.get(key, ())
        carry: list[int] = []
        for i in idx:
            if not carry:
                if unstated(due[i].quantities, order_lines):
                    carry.append(i)
                continue
            together: dict[int, Decimal] = {}
            for j in (*carry, i):
                for n, q in due[j].quantities.items():
                    together[n] = together.get(n, ZERO) + q
            if unstated(together, order_lines):
                if unstated(due[i].quantities, order_lines):
                    carry.append(i)  # neither alone nor together: it waits with them
                continue  # billed alone, the earlier ones still waiting
            ships = tuple(due[j].shipment for j in (*carry, i))
            last = ships[-1]
            m = InvoiceDue(*key, {n: together[n] for n in sorted(together)}, shipments=ships,
                           again=f"{last.warehouse}:{last.shipment_id}")
            olds = {due[j].doc_key for j in (*carry, i)}
            for ship, waits in list(billed.items()):
                if olds & set(waits):
                    billed[ship] = tuple(dict.fromkeys(m.doc_key if w in olds else w for w in waits))
            merged[i] = m
            gone.update(carry)
            carry = []
    if not merged:
        return due
    return [merged.get(i, d) for i, d in enumerate(due) if i not in gone]


def _per_store(s: ShipmentRecord, invoiced_pos: Set[tuple[str, str, str]], invoiced_keys: Container[str] | None,
               records: Mapping[Key, OrderRecord | BilledOrder], profile: PartnerProfile,
               due: list[InvoiceDue]) -> tuple[bool, tuple[str, ...]]:
    """invoices_due's 810s of shipment ``s`` for a partner billed per store, appended to ``due``: one per PO and
    store its lines were marked for (in the order its lines name them; the PO's units marked for no store on one
    810 without a store), each that store's units; a flat charge per shipment shared by them all as by a shipment's
    POs (``_split``, a (PO, store) counting as a PO). Returns whether the shipment is billed once they are, and
    the doc keys it waits for. An 810 already sent (its doc key in ``invoiced_keys``; the PO on an 810 of the
    shipment without a store: billed whole before) is not billed again."""
    units: dict[tuple[str, str], dict[int, Decimal]] = {}
    for ln in s.lines:
        qty = units.get((ln.po_number, ln.mark_for_store))
        if qty is None:
            qty = units[(ln.po_number, ln.mark_for_store)] = {}
        qty[ln.line_number] = qty.get(ln.line_number, ZERO) + ln.quantity
    complete, waits = True, []
    for (po, store), qty in units.items():
        record = records.get((s.partner, po))
        if memo_order(record, profile):
            continue  # shipped on memo: no 810 for it
        d = InvoiceDue(s.partner, po, qty, shipment=s, split=_split((po, store), units), store=store)
        whole = f"810:{s.warehouse}:{s.shipment_id}:{po}"
        if (s.warehouse, s.shipment_id, po) in invoiced_pos and (
                invoiced_keys is None or d.doc_key in invoiced_keys or whole in invoiced_keys):
            continue  # billed (this store's 810, or the PO's whole units on one 810)
        if record is None or record.state not in BILLABLE:
            complete = False
            continue
        due.append(d)
        waits.append(d.doc_key)
    return complete, tuple(waits)


def _split(po, shipped: Mapping) -> Split:
    """A per-shipment 810's split: its PO's place among every PO of the shipment (``shipped``: PO -> line
    -> units, in the order the shipment names them) and their units. Every PO of the shipment shares its
    charge, whenever its 810 is built (one held waits: its share, or the whole charge when it is the first
    PO, goes on its own 810 later), so the charge is billed once whatever the order of the 810s."""
    return ((list(shipped).index(po), _shares(shipped)),)


def _shares(shipped: Mapping) -> tuple[Decimal, ...]:
    """_split's units of every PO of a shipment (``shipped``: PO -> line -> units), in its order."""
    return tuple(sum(q.values(), ZERO) for q in shipped.values())


_BILLED = (OrderState.INVOICED, OrderState.CLOSED)


def _shared(due: list[InvoiceDue], units: Units | None, records: Mapping[Key, OrderRecord | BilledOrder],
            carried: Container[tuple[str, str]] = frozenset()) -> list[InvoiceDue]:
    """The per-order 810s of ``due`` with their split: a shipment's charge is shared by the POs of this
    run's per-order 810s that bill it and those of its POs billed by an earlier run while it waited (an
    810 of another of its POs not built then: retried now, it carries its share, not the others'), in the
    order the shipment names them, by their units on it. A PO of it still shipping when it is billed never
    names it again (the shipment is billed once this run's 810s are): it shares nothing. A shipment in
    ``carried`` (a later stop of a load) is NO_SHARE in every 810's split, per shipment or per order: its load's
    first stop bills the charge."""
    if carried:
        due = [replace(d, split=(NO_SHARE,)) if d.shipment is not None and (
            d.shipment.warehouse, d.shipment.shipment_id) in carried else d for d in due]
    sharing: dict[tuple[str, str], set[str]] = {}
    for d in due:
        if d.shipment is None:
            for key in dict.fromkeys((s.warehouse, s.shipment_id) for s in d.shipments):
                sharing.setdefault(key, set()).add(d.po_number)
    if not sharing:
        return due
    per_po: dict[tuple[str, str], dict[str, Decimal]] = {}
    out = []
    for d in due:
        if d.shipment is not None:
            out.append(d)
            continue
        split = []
        for s in {(s.warehouse, s.shipment_id): s for s in d.shipments}.values():
            key = (s.warehouse, s.shipment_id)
            if key in carried:
                split.append(NO_SHARE)
                continue
            got = per_po.get(key)
            if got is None:
                got = per_po[key] = _po_units(s, units)
            billed = sharing[key]
            pos = [po for po in got if po in billed or _state(records.get((s.partner, po))) in _BILLED] or [
                d.po_number]
            split.append((pos.index(d.po_number) if d.po_number in pos else 0,
                          tuple(got.get(po, ZERO) for po in pos)))
        out.append(replace(d, split=tuple(split)))
    return out


def _state(record: OrderRecord | BilledOrder | None) -> OrderState | None:
    return None if record is None else record.state


def _po_units(s: ShipmentRecord, units: Units | None) -> dict[str, Decimal]:
    """A shipment's units per PO, in the order it names them (from ``units`` when given, else its lines)."""
    got = None if units is None else units.get((s.warehouse, s.shipment_id))
    return {po: sum(q.values(), ZERO) for po, q in (_lines_units(s) if got is None else got).items()}


def _lines_units(s: ShipmentRecord) -> dict[str, dict[int, Decimal]]:
    """A shipment's units from its lines, as shipment_units reads them: per PO (in the shipment's order), line
    number -> units."""
    out: dict[str, dict[int, Decimal]] = {}
    for ln in s.lines:
        qty = out.get(ln.po_number)
        if qty is None:
            qty = out[ln.po_number] = {}
        qty[ln.line_number] = qty.get(ln.line_number, ZERO) + ln.quantity
    return out


@dataclass(frozen=True, slots=True)
class PreparedInvoice:
    due: InvoiceDue
    built: Order810 | Text810 | Batch810  # its 810 as built and checked (BIG02 still PENDING_NUMBER)
    # line id -> (net weight, unit) its catch-weight lines were billed by (IT102, IT103); None: none billed so
    weights: Mapping[str, tuple[Decimal, str]] | None = None


def prepare_invoices(due: Sequence[InvoiceDue], *, lines: Mapping[Key, Sequence[LineRecord]],
                     orders: Mapping[Key, dict], order_lines: Mapping[Key, Mapping[str, dict]],
                     customers: Mapping[str, dict], profiles: Mapping[str, PartnerProfile],
                     invoice_date: date, refused: Mapping[str, Sequence[Finding]] | None = None,
                     tables: BillingTables | None = None,
                     weights: NetWeights | Callable[[], NetWeights] | None = None,
                     sacs: Mapping[Key, Sequence[PoSac]] | None = None, places: Places | None = None,
                     classes: Mapping[Key, Mapping[int, str]] | None = None,
                     ship_tos: Mapping[Key, Mapping[int, tuple[str, str, str]]] | None = None,
                     dcs: StoreDcs | None = None, unnamed: Mapping[Key, Mapping[int, str]] | None = None,
                     service_names: ServiceNames | None = None, held: Container[str] | None = None,
                     ) -> tuple[list[PreparedInvoice], tuple[FindingRecord, ...]]:
    """Each due invoice built once without its number (held against the order lines' shipped and
    invoiced units, in order, so two invoices of one run never bill a unit twice); one that cannot be
    built - or whose 810 the outbound validator refused in an earlier attempt (``refused``: doc key
    -> its findings) - is a finding (INVOICE_NOT_BUILT), uses no number and waits for the next run.
    ``orders``: the canonical ORDERS row per order; ``order_lines``: per order, line id -> ORDER_LINES
    row; ``customers``: partner -> customers.csv row (terms). Each 810 carries the SACs invoice_charges
    gives it: a flat charge per order only on the order's first 810 (none when its lines were invoiced
    before, or an earlier 810 of the run was built for it), one per shipment for each shipment it bills.
    ``weights`` (net_weights, or what makes them: read only when a due invoice bills a catch-weight line): the
    net weight of each line shipped, per shipment and PO; a catch-weight line is billed by it at its price per
    pound (or kilogram ...: a weight in another unit converted to it), and without it its 810 is not built.
    ``sacs``: per order, the PO's own SACs its 810s carry (engine.invoice_po_sacs.po_sacs): such an 810 is built
    one by one (order_810), the others as ever. ``places``: ship_tos.csv's state per (partner, location id), for
    the partners whose 810s carry taxes (engine.invoice_taxes): a taxed 810 is built one by one (order_810).
    ``classes``: per order, line number -> its item's tax class (items.csv tax_class), for the partners whose taxes
    exempt a class: the lines such a tax does not apply to. ``ship_tos`` (line_ship_tos): per order, line number ->
    its own ship-to; an 810 whose lines all go to one such place names it as its N1*ST (built one by one).
    ``dcs`` (engine.shipments.store_dcs): the DC each store is shipped through; an 810 of a shipment whose units
    were marked for stores of one DC (or of one store, billed per store) names that DC as its N1*ST, as the 856
    did, its taxes by the DC's state (built one by one). ``unnamed`` (without_item_ids): per order, line number ->
    why the partner's 810 cannot name its item; an 810 billing such a line is not built (INVOICE_NOT_BUILT).
    ``service_names``: warehouse id -> its own names for its services (WarehouseProfile.service_levels), read as the
    856 read them when a CAD's transport method is worked out again (_carrier). An 880 billing units its G17
    cannot state (on_880.unstated: 7 EA shipped of a line priced per dozen) is held: not built, no number, and
    INVOICE_HELD_NOT_ON_880 said the first time only (``held``: the doc keys whose hold was said before, as the
    store's findings keep them); invoices_due bills it with the shipment that completes the dozen."""
    refused = refused or {}
    sacs = sacs or {}
    due = [in_line_order(d) for d in due]  # every path bills in PO line order, whatever the shipment's order
    before = _billed_before(due, lines, tables, profiles)
    billed: dict[Key, dict[int, Decimal]] = {}  # per order: line number -> units billed by this run's 810s
    out: list[PreparedInvoice] = []
    problems: list[FindingRecord] = []
    terms: dict[str, object] = {}
    numbered: dict[Key, dict[int, LineRecord]] = {}
    fast: dict[str, Delimiters | None] = {}
    cells: dict[tuple[Decimal, Decimal], tuple[str, str, Decimal]] = {}  # (quantity, price) -> texts, amount
    for partner in dict.fromkeys(d.partner for d in due):
        terms[partner] = terms_from_customer(customers.get(partner))
        fast[partner] = _fast_delimiters(envelope_for(profiles[partner]), profiles[partner])
    unweighed, weighed = _catch_weight_dues(due, lines, order_lines, tables, weights)
    for i, d in enumerate(due):  # a line of an item without the id the partner's 810 requires (no GTIN/UPC)
        why = [t for n, t in sorted((unnamed or {}).get((d.partner, d.po_number), {}).items()) if n in d.quantities]
        if why and i not in unweighed:
            unweighed[i] = "; ".join(why)
    waiting: dict[int, FindingRecord | None] = {}  # an 880 its G17 cannot state: held (its finding said once)
    for i, d in enumerate(due):
        if i not in unweighed and profiles[d.partner].invoice_set == "880" and (
                not_stated := unstated(d.quantities, lines.get((d.partner, d.po_number), ()))):
            where = f"shipment {d.shipment.shipment_id} ({d.shipment.warehouse})" if d.shipment is not None else \
                "shipments " + ", ".join(f"{s.shipment_id} ({s.warehouse})" for s in d.shipments)
            waiting[i] = None if d.doc_key in (held or ()) else held_finding(d.partner, d.po_number, d.doc_key, where,
                                                                            not_stated)
    problems.extend(f for f in waiting.values() if f is not None)
    if unweighed or waiting:  # built by none of the paths (no net weight shipped to bill them by; held for the dozen)
        kept = [i for i in range(len(due)) if i not in unweighed and i not in waiting]
        due_all, due = due, [due[i] for i in kept]
        weighed = {new: weighed[old] for new, old in enumerate(kept) if old in weighed}
        for i, why in unweighed.items():
            d = due_all[i]
            f = finding("INVOICE_NOT_BUILT", closed(f"PO {d.po_number}: the 810 ({d.doc_key}) is not built: {why}"),
                        value=d.po_number)
            problems.append(FindingRecord(f, d.partner, d.po_number, "no 810; retried by the next run", STAGE))
    # index -> the PO's own ITD, where the 810 states it (indexes of the due list as billed: unweighed ones gone)
    own_terms = _po_terms(due, orders, profiles)
    # index -> its order's row naming the DC its stores went through (the 856's N1*ST)
    via_dc = {i: row for i, d in enumerate(due) if (row := _store_dc(d, orders, dcs or {})) is not None}
    taxing = _taxing(due, orders, profiles, places or {}, via_dc)  # index -> its taxes (or why they are unknown)
    # index -> its order's row naming the own ship-to every line it bills goes to (an approved LINE_SHIP_TO_DIFFERS)
    moved = {i: row for i, d in enumerate(due) if (row := _own_ship_to(d, orders, ship_tos or {})) is not None}
    moved = {**via_dc, **moved}
    ready = {} if tables is None else _text_invoices(due, tables, orders=orders, terms=terms, fast=fast,
                                                     profiles=profiles, invoice_date=invoice_date, refused=refused,
                                                     service_names=service_names,
                                                     before=before, exclude=({*weighed, *own_terms} if not sacs else {
                                                         *weighed, *own_terms, *(i for i, d in enumerate(due)
                                                                                 if (d.partner, d.po_number) in sacs)})
                                                     | taxing.keys() | moved.keys())
    for i, d in enumerate(due):
        key = (d.partner, d.po_number)
        if i in ready:  # written with the run's other ordinary 810s (an order's only invoice of the run)
            out.append(PreparedInvoice(d, ready[i]))
            continue
        profile = profiles[d.partner]
        if d.doc_key in refused:
            why = findings_said(refused[d.doc_key])
            f = finding("INVOICE_NOT_BUILT", f"PO {d.po_number}: the 810 ({d.doc_key}) failed validation: {why}."
                        f"{echo_held_because(refused[d.doc_key], values_sent([orders.get(key, {})]))}",
                        value=d.po_number)
            problems.append(FindingRecord(f, d.partner, d.po_number, "no 810; retried by the next run", STAGE))
            continue
        by_number = numbered.get(key)
        if by_number is None:
            by_number = numbered[key] = {ln.line_number: ln for ln in lines.get(key, ())}
        rows = order_lines.get(key, {})
        order = moved.get(i) or orders.get(key, {})
        if d.store:  # a store's 810: the store its units were marked for as the heading's mark-for
            order = {**order, **_store_mark(d.store, profile)}
        so_far = billed.get(key) or {}
        charges = _charges(d, profile, key in before or key in billed, order)
        stated = own_terms.get(i, terms[d.partner])
        try:
            taxes = taxing.get(i, ())
            if isinstance(taxes, DocumentError):
                raise taxes
            built = None if fast[d.partner] is None or i in weighed or key in sacs or taxes else _text_invoice(
                d, by_number, order, rows, stated, profile, invoice_date, so_far,
                fast[d.partner], cells, charges, service_names)
            if built is None:  # anything out of the ordinary: the 810 built as segments (its refusals, its checks)
                built = _invoice(d, by_number, order, {k: v.row() if isinstance(v, LineText) else v
                                                                     for k, v in rows.items()},
                                 stated, profile, invoice_date, so_far, charges, weighed.get(i),
                                 sacs.get(key, ()), taxes, (classes or {}).get(key), service_names)
                if profile.invoice_set == "880":  # the grocer's 880 says what the 810 built says, checked here
                    settings = profile.fulfilment.invoice
                    built = replace(built, built=replace(built.built, body=body_880(
                        built.built.body, settings.g72_codes, settings.tax_percent, _version_880(profile))))
        except (DocumentError, KeyError, ValueError) as exc:
            why = f"{type(exc).__name__}: {exc}"[:500]
            f = finding("INVOICE_NOT_BUILT",
                        closed(f"PO {d.po_number}: the 810 ({d.doc_key}) could not be built: {why}"), value=d.po_number)
            problems.append(FindingRecord(f, d.partner, d.po_number, "no 810; retried by the next run", STAGE))
            continue
        if not so_far:  # the order's first 810 of the run: its units as they are
            billed[key] = dict(d.quantities)
            out.append(PreparedInvoice(d, built, weighed.get(i)))
            continue
        for n, q in d.quantities.items():
            was = so_far.get(n)
            so_far[n] = (ZERO if was is None else was) + q
        out.append(PreparedInvoice(d, built, weighed.get(i)))
    return out, tuple(problems)


def _version_880(profile: PartnerProfile) -> str:
    """The dictionary version a partner's 880 is built by: its GS08's (X12Settings gs_versions "880", else the
    profile's), 005010 for a 005010 grocer (CAD where 004010 has G27: engine.invoice_880.body_880)."""
    return built_by(envelope_for(profile).gs08_for(SET_880)) or profile.x12.version


def in_line_order(d: InvoiceDue) -> InvoiceDue:
    """``d`` with its lines in PO line order (line_number: the PO1's place in the PO, numerically: 4, 5, 6, 10), the
    order its 810 lists them in (IT1); a shipment names them carton by carton (10, 6, 5, 4), and people reading the
    invoice and buyers' systems matching it expect the PO's order."""
    numbers = list(d.quantities)
    ordered = sorted(numbers)
    if ordered == numbers:  # (a mapping's keys: distinct, so in order means increasing)
        return d
    return replace(d, quantities={n: d.quantities[n] for n in ordered})


def _store_mark(store: str, profile: PartnerProfile) -> dict[str, str | None]:
    """The canonical ORDERS mark-for columns (MARK_FOR_COLUMNS, engine.asn.mark_for_party) naming ``store`` as
    the 856 names it (asn.store_party: N1*Z7 or N1*BY, no name, qualifier 92 assigned by buyer, the store)."""
    party = ("mark_for" if profile.fulfilment.asn.store_party == "Z7" else "buyer")
    cleared = dict.fromkeys(MARK_FOR_COLUMNS)
    return {**cleared, f"{party}_id_qualifier": "92", f"{party}_id": store}


def with_agreed_currency(orders: pa.Table, customers: Mapping[str, Mapping[str, object]],
                         profiles: Mapping[str, PartnerProfile]) -> pa.Table:
    """``orders`` (canonical ORDERS rows) with the currency agreed with the partner (customers.csv currency) for
    each PO that sent none (no CUR) of a partner whose 810s state it on every invoice ([fulfilment.invoice]
    currency): its 810's CUR*SE. The others as they are."""
    return filled_per_partner(orders, "currency", {
        p: str(c["currency"]) for p, c in customers.items()
        if c.get("currency") and p in profiles and profiles[p].fulfilment.invoice.currency})


def line_ship_tos(orders: pa.Table, order_lines: pa.Table) -> dict[Key, dict[int, tuple[str, ...]]]:
    """Per order, line number -> its own ship-to (N102, N103, N104 of its PO1 loop's N1*ST, then the address of its
    loop, LINE_SHIP_TO_ADDRESS: ORDER_LINES ship_to_*) where that is another party than its order's
    (rules.business.places.same_party); {} for none."""
    from rules.business.places import same_party

    cols = [f"ship_to_{f}" for f in LINE_SHIP_TO]
    if not order_lines.num_rows or any(c not in order_lines.column_names for c in cols):
        return {}
    own = order_lines.filter(pc.or_(pc.is_valid(order_lines["ship_to_id"]), pc.is_valid(order_lines["ship_to_name"])))
    if not own.num_rows:
        return {}
    # the order's address too: a line naming its order's name at another door is another place (same_party)
    places = [*cols, *(f"ship_to_{f}" for f in LINE_SHIP_TO_ADDRESS if f"ship_to_{f}" in orders.column_names)]
    heads = {(r["partner"], r["po_number"]): r for r in orders.select(["partner", "po_number", *places]).to_pylist()}
    out: dict[Key, dict[int, tuple[str, ...]]] = {}
    address = [f"ship_to_{f}" for f in LINE_SHIP_TO_ADDRESS]
    address = address if all(c in own.column_names for c in address) else []
    for r in own.select(["partner", "po_number", "line_number", *cols, *address]).to_pylist():
        head = heads.get((r["partner"], r["po_number"]))
        if head is not None and not same_party(r, head):
            out.setdefault((r["partner"], r["po_number"]), {})[r["line_number"]] = tuple(
                r[c] or "" for c in (*cols, *address))
    return out


def _own_ship_to(d: InvoiceDue, orders: Mapping[Key, dict], ship_tos: Mapping[Key, Mapping[int, tuple]]
                 ) -> dict | None:
    """The order's row of ``d`` with its ship-to the own ship-to (line_ship_tos) every line it bills goes to (the
    line's N1*ST, and the address of its loop as the first of its lines sent it); None when its lines go to the
    order's, or to several."""
    own = ship_tos.get((d.partner, d.po_number))
    if not own:
        return None
    places = [own.get(n) for n in sorted(d.quantities) if d.quantities[n]]
    if not places or None in places or len({p[:3] for p in places}) != 1:  # type: ignore[index]
        return None
    (name, qualifier, ident), address = places[0][:3], places[0][3:]  # type: ignore[index]
    order = dict(orders.get((d.partner, d.po_number), {}))
    order.update({c: None for c in _PARTIES if c.startswith("ship_to_")}, ship_to_name=name or None,
                 ship_to_id_qualifier=qualifier or None, ship_to_id=ident or None, ship_to_name2=None,
                 **{f"ship_to_{f}": v or None for f, v in zip(LINE_SHIP_TO_ADDRESS, address, strict=False)})
    return order


def _store_dc(d: InvoiceDue, orders: Mapping[Key, dict], dcs: StoreDcs) -> dict | None:
    """The order's row of ``d`` with its ship-to the DC (``dcs``) its units went through: the DC of its store (billed
    per store), else of every store its PO's lines on the shipment were marked for, when that is one DC and not the
    order's own ship-to; None otherwise (no shipment, a unit marked for no store or a store of no DC, several DCs:
    the order's ship-to, as ever)."""
    if not dcs or d.shipment is None:
        return None
    stores = {d.store} if d.store is not None else {ln.mark_for_store for ln in d.shipment.lines
                                                     if ln.po_number == d.po_number}
    places = {dcs.get((d.partner, store)) if store else None for store in stores}
    if len(places) != 1 or None in places:
        return None
    (dc,) = places
    order = dict(orders.get((d.partner, d.po_number), {}))
    if dc is None or dc.id == (order.get("ship_to_id") or "").strip():
        return None
    order.update({c: None for c in _PARTIES if c.startswith("ship_to_")}, ship_to_name=dc.name or None,
                 ship_to_id_qualifier=dc.id_qualifier or None, ship_to_id=dc.id, ship_to_address1=dc.address1 or None,
                 ship_to_city=dc.city or None, ship_to_state=dc.state or None,
                 ship_to_postal_code=dc.postal_code or None, ship_to_country=dc.country or None, ship_to_name2=None)
    return order


def _taxing(due: Sequence[InvoiceDue], orders: Mapping[Key, dict], profiles: Mapping[str, PartnerProfile],
            places: Places, via_dc: Mapping[int, dict] | None = None) -> dict[int, tuple | DocumentError]:
    """Per index of ``due`` whose partner's 810s carry taxes: the taxes its 810 carries (engine.invoice_taxes.
    taxes_for, by its ship-to's region; none there: not listed, the 810 as ever), or the DocumentError that its
    ship-to's region is unknown (its 810 is not built). ``via_dc``: per index, its order's row naming the DC its
    stores went through (_store_dc), whose region it is taxed by."""
    out: dict[int, tuple | DocumentError] = {}
    for i, d in enumerate(due):
        settings = profiles[d.partner].fulfilment.invoice
        if not settings.taxes:
            continue
        order = (via_dc or {}).get(i) or orders.get((d.partner, d.po_number), {})
        try:
            taxes = taxes_for(settings, {**order, "partner": d.partner}, places)
        except DocumentError as exc:
            out[i] = exc
            continue
        if taxes:
            out[i] = taxes
    return out


def _po_terms(due: Sequence[InvoiceDue], orders: Mapping[Key, dict],
              profiles: Mapping[str, PartnerProfile]) -> dict[int, object]:
    """Per index of ``due``, the ITD its 810 states instead of the agreed terms: the PO's own (terms_from_order),
    for a partner whose profile says ``[fulfilment.invoice] terms = "po"`` and a PO that sent one (a co-op's dated
    promotion order: its 810 states the PO's dating, not the standing agreement). Such an 810 is built one by one."""
    out: dict[int, object] = {}
    for i, d in enumerate(due):
        if profiles[d.partner].fulfilment.invoice.terms == "po":
            own = terms_from_order(orders.get((d.partner, d.po_number), {}))
            if own is not None:
                out[i] = own
    return out


NetWeights = dict[tuple[str, str, str], dict[int, tuple[tuple[Decimal | None, str], ...]]]  # (warehouse, shipment
# id, PO) -> line number -> its rows' net weights shipped, in the order recorded: (weight, None when the row gave
# none; its unit)


def net_weights(rows: Iterable[tuple]) -> NetWeights:
    """connectors.state net_weights' rows (warehouse, shipment id, PO, line number, net weight, unit) per shipment
    and PO: each line's rows' (weight, unit), as recorded. Never added here: a line is billed by its rows each
    converted to its price's unit and then added (schemas.units.billed_weight: 14 LB and 12.8 KG are 14 +
    28.2192 = 42.2192 LB), the one conversion reconciliation values the line by (schemas.units.weights_in)."""
    out: dict[tuple[str, str, str], dict[int, list[tuple[Decimal | None, str]]]] = {}
    for warehouse, shipment_id, po, n, weight, unit in rows:
        out.setdefault((warehouse, shipment_id, po), {}).setdefault(n, []).append((weight, unit))
    return {k: {n: tuple(v) for n, v in per.items()} for k, per in out.items()}


def _catch_weight_dues(due: Sequence[InvoiceDue], lines: Mapping[Key, Sequence[LineRecord]],
                       order_lines: Mapping[Key, Mapping[str, object]], tables: BillingTables | None,
                       weights: NetWeights | Callable[[], NetWeights] | None = None,
                       ) -> tuple[dict[int, str], dict[int, dict[str, tuple[Decimal, str]]]]:
    """The due invoices that bill a catch-weight line (schemas.units.catch_weight: three CA priced per pound, PO105 PP),
    which is billed by the net weight shipped at its price per pound: (index -> why its 810 is not built, index ->
    line id -> (net weight, unit) of its catch-weight lines). The weight is the line's net weights on the shipments
    the invoice bills (``weights``), each row in its price's unit and then added (schemas.units.billed_weight, as
    reconciliation values it: 19.2 KG at a price per pound is 42.3288 LB); a line with none confirmed on one of
    them, or in a unit that is no weight, is not billed (never cases billed at a pound price): its 810 is not built.
    Screened in the canonical lines' columns first (most nights have none: the line texts and the weights are then
    never read)."""
    if tables is not None:
        basis = tables.order_lines["price_basis"] if "price_basis" in tables.order_lines.column_names else None
        if basis is None or not pc.any(pc.fill_null(pc.is_in(basis, value_set=pa.array(
                list(PRICE_PER_WEIGHT), pa.string())), False)).as_py():
            return {}, {}
    out: dict[int, str] = {}
    weighed: dict[int, dict[str, tuple[Decimal, str]]] = {}
    known: NetWeights | None = None
    for i, d in enumerate(due):
        rows = order_lines.get((d.partner, d.po_number)) or {}
        by_number = {ln.line_number: ln for ln in lines.get((d.partner, d.po_number), ())}
        ships = (d.shipment,) if d.shipment is not None else d.shipments
        for n, q in d.quantities.items():
            ln = by_number.get(n)
            row = rows.get(ln.line_id or str(n)) if ln is not None else None
            if row is None or not q:
                continue
            basis, unit = (row.price_basis, row.unit) if isinstance(row, LineText) else (
                row.get("price_basis"), row.get("unit"))  # type: ignore[attr-defined]
            if not catch_weight(basis, unit):
                continue
            measure = PRICE_PER_MEASURE[basis][0]  # LB for a price per pound (PP) ...
            if unit in KILOGRAMS_PER:  # its unit a weight itself (LB of a KG line): what shipped, converted exactly
                weighed.setdefault(i, {})[ln.line_id or str(n)] = (weight_in(q, unit, measure), measure)
                continue
            if known is None:
                known = (weights() if callable(weights) else weights) or {}
            got = [w for s in ships for w in known.get((s.warehouse, s.shipment_id, d.po_number), {}).get(n, ())]
            price = x12_decimal(ln.unit_price) if ln.unit_price is not None else "?"
            what = (f"line {ln.line_id or n} is a catch-weight line ({x12_decimal(q)} {unit} shipped, priced {price} "
                    f"per unit of weight: PO105 {basis}); it is billed by the net weight shipped")
            if not got or any(w[0] is None for w in got):
                out[i] = (f"{what}, and no net weight shipped is recorded for it (the warehouse's net weight column,"
                          " a 945's W12 weight qualified N (actual net) or RN (reweigh net); a gross, tare or "
                          f"estimated net weight is not billed): never billed per {unit} at a price per unit of weight "
                          "(invoice it by hand, or have the warehouse confirm its net weight)")
                break
            billed = billed_weight(got, measure)  # each row converted on its own: 19.2 KG per LB is 42.3288 LB
            if billed is None:
                out[i] = (f"{what}, and its net weight shipped is in {'/'.join(sorted({w[1] or '?' for w in got}))}"
                          f", its price per {measure}: not a weight to convert (invoice it by hand)")
                break
            weighed.setdefault(i, {})[ln.line_id or str(n)] = (billed, measure)
    return out, {i: w for i, w in weighed.items() if i not in out}


def _scoped(profile: PartnerProfile) -> tuple[bool, bool]:
    """Whether the partner's 810s carry a flat charge per order, and one per shipment (Charge.per, else
    its invoicing policy): what makes one 810's SACs differ from another's."""
    settings = profile.fulfilment.invoice
    scopes = {c.per or settings.charge_scope for c in settings.charges if c.amount is not None}
    return "order" in scopes, "shipment" in scopes


def _billed_before(due: Sequence[InvoiceDue], lines: Mapping[Key, Sequence[LineRecord]],
                   tables: BillingTables | None, profiles: Mapping[str, PartnerProfile]) -> set[Key]:
    """The orders of ``due`` with units invoiced before this run (so their flat charges per order went on
    an earlier 810), for the partners that have such a charge only: read from the billing lines' table
    when given (no BilledLine made), else from ``lines``."""
    partners = {d.partner for d in due if _scoped(profiles[d.partner])[0]}
    if not partners:
        return set()
    keys = {(d.partner, d.po_number) for d in due if d.partner in partners}
    if tables is None:
        return {k for k in keys if any(ln.invoiced > 0 for ln in lines.get(k, ()))}
    t = tables.lines
    if not t.num_rows:
        return set()
    t = t.filter(pc.is_in(t["partner"], value_set=pa.array(sorted(partners), t["partner"].type)))
    out: set[Key] = set()
    for partner, po, invoiced in zip(t["partner"].to_pylist(), t["po_number"].to_pylist(),
                                     decimals(t["invoiced"], null=ZERO), strict=True):
        if invoiced > 0 and (partner, po) in keys:
            out.add((partner, po))
    return out


def _charges(d: InvoiceDue, profile: PartnerProfile, billed_before: bool, order: Mapping) -> tuple[Charge, ...]:
    """The SACs of ``d``'s 810 (engine.invoice.invoice_charges): the shipments it bills are its own (per
    shipment) or the order's not billed yet (per order); those limited to some FOBs by the FOB01 of the PO
    (``order``: its canonical ORDERS row; fob_sent)."""
    ships = 1 if d.shipment is not None else len({(s.warehouse, s.shipment_id) for s in d.shipments})
    return invoice_charges(profile.fulfilment.invoice, billed_before=billed_before, shipments=ships,
                           split=d.split or None, fob=fob01(order))


# what an 810 reads of the canonical ORDERS and ORDER_LINES (engine.invoice._head, order_810), with the
# columns that pick an order's current rows (engine.lifecycle.current_tables)
_PARTIES = tuple(f"{p}_{f}" for p in ("bill_to", "ship_to") for f in ("name", "id_qualifier", "id", "address1",
                                                                      "address2", "city", "state", "postal_code",
                                                                      "country"))
CANONICAL_COLUMNS = (["partner", "order_ref", "po_number", "po_date", "release_number", "currency", *_PARTIES,
                      "ship_to_name2", "bill_to_name2",  # the parties' N2s (engine.invoice._party)
                      *MARK_FOR_NAME2,  # the N2s the mark-for's names hold (engine.asn.mark_for_of)
                      "fob_sent",  # the PO's FOB ([fulfilment.invoice] fob: engine.invoice.head_810)
                      "tax_sent",  # the PO's TAXes: an exemption from the profile's taxes (engine.invoice_taxes)
                      "party_refs_sent",  # the REFs of the PO's N1 loops ([fulfilment.invoice] party_refs)
                      *MARK_FOR_COLUMNS, *REF_COLUMNS, *TERMS_COLUMNS],
                     ["partner", "order_ref", "po_number", "line_number", "line_id", "unit", "price_basis",
                      "description", "product_ids",
                      *(f"ship_to_{f}" for f in (*LINE_SHIP_TO, *LINE_SHIP_TO_ADDRESS)),  # line_ship_tos
                      "line_refs",  # the line's own REFs ([fulfilment.invoice] line_refs: engine.invoice.body_810)
                      "line_prices",  # the line's own CTPs ([fulfilment.invoice] ctp: engine.invoice.body_810)
                      "tax_exempt_sent",  # the taxes its PO1 loop exempts it from (engine.invoice_taxes.taxed)
                      "pids_sent",  # its PO1 loop's PIDs as sent (engine.invoice.body_810)
                      "expiry_sent",  # its PO1 loop's DTM 036 ([fulfilment.invoice] line_expiry: body_810)
                      *PO4_SENT,  # its PO1 loop's PO4 ([fulfilment.invoice] item_po4: body_810)
                      "weight_ordered", "weight_basis_sent"])  # IT105 as sent (schemas.units.basis_sent)


def with_item_descriptions(order_lines: pa.Table, skus: Mapping[tuple[str, str, int], str], items: pa.Table,
                           partners: Set[str]) -> pa.Table:
    """``order_lines`` (canonical ORDER_LINES rows) with the lines of ``partners`` that have no description (null
    or blank: the PO sent no PID) given our item's: items.csv's description of the line's SKU (``skus``:
    (partner, PO, line number) -> SKU, as the rules resolved it); a line whose SKU or item is unknown, or whose
    item has no description, keeps none. The 810 writes each description as a PID*F ([fulfilment.invoice]
    item_pid: a partner whose 810 guide makes PID mandatory in every IT1 loop)."""
    if not order_lines.num_rows or not partners:
        return order_lines
    names = dict(zip(items["sku"].to_pylist(), items["description"].to_pylist(), strict=True))
    rows = zip(order_lines["partner"].to_pylist(), order_lines["po_number"].to_pylist(),
               order_lines["line_number"].to_pylist(), order_lines["description"].to_pylist(), strict=True)
    described = [text if partner not in partners or (text or "").strip()
                 else names.get(skus.get((partner, po, number), "")) or text
                 for partner, po, number, text in rows]
    at = order_lines.schema.get_field_index("description")
    return order_lines.set_column(at, order_lines.schema.field(at), pa.array(described, pa.string()))


def with_item_ids(order_lines: pa.Table, skus: Mapping[tuple[str, str, int], str], items: pa.Table,
                  required: Mapping[str, Sequence[str]]) -> pa.Table:
    """``order_lines`` (canonical ORDER_LINES rows) with, on each line of a partner in ``required`` (partner -> its
    [fulfilment.invoice] item_ids, in order of preference) that names none of its qualifiers, the first of them our
    item has an id under (rules.business.items.part_id of the line's SKU: ``skus``, (partner, PO, line number) ->
    SKU, as the rules resolved it) appended after the PO's pairs, while the line has fewer than ten (IT106..IT125).
    A line whose SKU is unknown, or whose item has none of those ids, keeps its pairs. The 810 writes them in its
    IT1 (Metro's 810: a UPC or case code on every line, a line ordered by Metro's item number alone too)."""
    from rules.business.items import part_id

    if not order_lines.num_rows or not required:
        return order_lines
    cols = [c for c in ("sku", "gtin", "upc", "vendor_part") if c in items.column_names]
    rows = {r["sku"]: r for r in items.select(cols).to_pylist()}
    out = []
    for partner, po, number, ids in zip(order_lines["partner"].to_pylist(), order_lines["po_number"].to_pylist(),
                                        order_lines["line_number"].to_pylist(),
                                        order_lines["product_ids"].to_pylist(), strict=True):
        wanted = required.get(partner) or ()
        sent = [p for p in ids or [] if p.get("id")]
        item = rows.get(skus.get((partner, po, number), ""))
        if not wanted or item is None or len(sent) >= 10 or any(p.get("qualifier") in wanted for p in sent):
            out.append(ids)
            continue
        added = next(({"qualifier": q, "id": v} for q in wanted if (v := part_id(q, item))), None)
        out.append(ids if added is None else [*(ids or []), added])
    at = order_lines.schema.get_field_index("product_ids")
    return order_lines.set_column(at, order_lines.schema.field(at), pa.array(out, order_lines.schema.field(at).type))


def without_item_ids(order_lines: pa.Table, skus: Mapping[tuple[str, str, int], str], items: pa.Table,
                     required: Mapping[str, Sequence[str]]) -> dict[Key, dict[int, str]]:
    """Per order (partner, PO), line number -> why its 810 cannot be built: each line (``order_lines`` as
    with_item_ids leaves them) of a partner in ``required`` (its [fulfilment.invoice] item_ids) that names none of
    those qualifiers while its item (``skus``) has none of them in items.csv (an item without a GTIN or UPC: steel
    cut to size, a bulk chemical). Its 810 is held (INVOICE_NOT_BUILT, retried each run) naming the item: never an
    IT1 without the id the partner's guide requires, never a made-up one. A line whose SKU is unknown is left as
    with_item_ids leaves it."""
    from rules.business.items import part_id

    out: dict[Key, dict[int, str]] = {}
    if not order_lines.num_rows or not required:
        return out
    cols = [c for c in ("sku", "gtin", "upc", "vendor_part") if c in items.column_names]
    rows = {r["sku"]: r for r in items.select(cols).to_pylist()}
    for partner, po, number, ids in zip(order_lines["partner"].to_pylist(), order_lines["po_number"].to_pylist(),
                                        order_lines["line_number"].to_pylist(),
                                        order_lines["product_ids"].to_pylist(), strict=True):
        wanted = required.get(partner) or ()
        sku = skus.get((partner, po, number), "")
        item = rows.get(sku)
        if not wanted or item is None or any(p.get("qualifier") in wanted and p.get("id") for p in ids or []) \
                or any(part_id(q, item) for q in wanted):
            continue
        out.setdefault((partner, po), {})[int(number)] = (
            f"line {number} names item {sku}, which has none of the ids {partner}'s 810 requires on every IT1 "
            f"([fulfilment.invoice] item_ids {', '.join(wanted)}): items.csv gives it no GTIN or UPC (no made-up id "
            f"is sent); add its GTIN/UPC to items.csv if it has one, or agree with the partner how such an item is "
            f"billed and invoice it by hand")
    return out


class LineText(NamedTuple):
    """What an 810 reads of a canonical ORDER_LINES row (engine.invoice.order_810): its unit, IT105,
    PID description, product ids (qualifier, id) and own references (REF01, REF02) as stored, from columns
    (``line_texts``)."""

    unit: str | None
    price_basis: str | None
    description: str | None
    product_ids: tuple[tuple[str | None, str | None], ...]
    line_refs: tuple[tuple[str | None, ...], ...] = ()  # (REF01, REF02, REF03 or None) as stored
    line_prices: tuple[dict, ...] = ()  # the line's own CTPs as stored (schemas.orders LINE_PRICE)
    tax_exempt_sent: str | None = None  # the taxes (TXI01) its PO1 loop exempts it from, as stored
    pids_sent: tuple[tuple[str, str, str], ...] = ()  # its PO1 loop's PIDs as sent, (PID02, PID05, PID09) each
    # ("" for one not sent)
    expiry_sent: date | None = None  # its PO1 loop's DTM 036 as stored (ORDER_LINES expiry_sent)
    po4_sent: tuple = (None, None, None, None)  # its PO1 loop's PO4 as stored (PO4_SENT: pack, size, its unit, inner)
    weight_ordered: Decimal | None = None  # the line as sent in a weight or volume, where intake restated it
    weight_basis_sent: str | None = None  # and its PO105 as sent (IT105: schemas.units.basis_sent)

    def row(self) -> dict:
        """The ORDER_LINES row's values order_810 reads, as a dict."""
        return {"unit": self.unit, "price_basis": self.price_basis, "description": self.description,
                "product_ids": [{"qualifier": q, "id": i} for q, i in self.product_ids],
                "line_refs": [{"qualifier": r[0], "id": r[1], "description": r[2] if len(r) > 2 else None}
                              for r in self.line_refs],
                "line_prices": list(self.line_prices), "tax_exempt_sent": self.tax_exempt_sent,
                "pids_sent": [{"characteristic": c, "description": t, "language": lang}
                              for c, t, lang in self.pids_sent], "expiry_sent": self.expiry_sent,
                **dict(zip(PO4_SENT, self.po4_sent, strict=True)), "weight_ordered": self.weight_ordered,
                "weight_basis_sent": self.weight_basis_sent}


def line_texts(order_lines: pa.Table) -> dict[Key, dict[str, LineText]]:
    """Canonical ORDER_LINES rows as LineTexts per order and line id (PO101, else the line number; a
    later row of the same id wins), from columns: no dict per row, product ids read flat."""
    n = order_lines.num_rows
    if not n:
        return {}
    cols = order_lines.column_names

    def column(name: str) -> list:
        return order_lines[name].to_pylist() if name in cols else [None] * n

    pairs: list[tuple] = [()] * n
    if "product_ids" in cols:
        ids = order_lines["product_ids"].combine_chunks()
        offsets = ids.offsets.to_pylist()  # into ids.values, which StructArray.flatten reads with its offset
        fields = dict(zip((f.name for f in ids.type.value_type), ids.values.flatten(), strict=True))
        flat = list(zip(fields["qualifier"].to_pylist(), fields["id"].to_pylist(), strict=True))
        valid = ids.is_valid().to_pylist()
        pairs = [tuple(flat[a:b]) if ok else () for a, b, ok in zip(offsets[:-1], offsets[1:], valid, strict=True)]
    refs: list = [()] * n  # the lines' own REFs (few lines have them; none in a table stored before they were kept)
    if "line_refs" in cols and order_lines["line_refs"].null_count < n:
        refs = [tuple((r["qualifier"], r["id"], r.get("description")) for r in got) if got else ()
                for got in order_lines["line_refs"].to_pylist()]
    ctps: list = [()] * n  # the lines' own CTPs (few lines have them; none in a table stored before they were kept)
    if "line_prices" in cols and order_lines["line_prices"].null_count < n:
        ctps = [tuple(got) if got else () for got in order_lines["line_prices"].to_pylist()]
    pids: list = [()] * n  # the lines' own PIDs as sent (few lines have them; none in a table stored before)
    if "pids_sent" in cols and order_lines["pids_sent"].null_count < n:
        pids = [tuple((p["characteristic"] or "", p["description"] or "", p.get("language") or "") for p in got)
                if got else ()
                for got in order_lines["pids_sent"].to_pylist()]
    texts = list(map(tuple.__new__, repeat(LineText), zip(column("unit"), column("price_basis"), column("description"),
                                                          pairs, refs, ctps, column("tax_exempt_sent"), pids,
                                                          column("expiry_sent"),
                                                          zip(*(column(c) for c in PO4_SENT), strict=True),
                                                          column("weight_ordered"), column("weight_basis_sent"),
                                                          strict=True)))
    line_ids = [line_id or str(number)
                for line_id, number in zip(column("line_id"), column("line_number"), strict=True)]
    out: dict[Key, dict[str, LineText]] = {}
    for key, a, b in runs(order_lines, ("partner", "po_number")):  # each order's key read once, not each row's
        out.setdefault(key, {}).update(zip(line_ids[a:b], texts[a:b], strict=True))  # a later row of an id wins
    return out


class Lazy(Mapping):
    """``read(table)`` (line_texts, billed_lines: a mapping per order) made on first use: with
    prepare_invoices' tables, only an 810 built one by one (or per-order invoicing) reads them."""

    def __init__(self, read, table: pa.Table) -> None:
        self.table, self._make = table, read
        self._read: Mapping | None = None

    def _rows(self) -> Mapping:
        if self._read is None:
            self._read = self._make(self.table)
        return self._read

    def __getitem__(self, key):
        return self._rows()[key]

    def __iter__(self):
        return iter(self._rows())

    def __len__(self) -> int:
        return len(self._rows())


def _fast_delimiters(env: Envelope, profile: PartnerProfile) -> Delimiters | None:
    """The partner's first delimiter set when an 810 may be written with it straight from its values:
    single characters, none of them in the envelope, a number (prefix, digits), a decimal value or the
    IT1/PID text _text_invoice writes around the values; None for a partner whose 810s echo the lines' own
    REFs, CTPs, expiry dates or packs ([fulfilment.invoice] line_refs, ctp, line_expiry, item_po4: built as segments,
    engine.invoice.body_810)."""
    d = env.candidates[0]
    settings = profile.fulfilment.invoice
    if profile.invoice_set == "880":  # the grocery invoice is written from the 810's segments (engine.invoice_880)
        return None
    if settings.line_refs or settings.ctp or settings.line_expiry or settings.item_po4 or any(
            len(c) > 1 for c in (d.element, d.component, d.segment, d.repetition)):
        return None
    fixed = set(profile.fulfilment.invoice.number_prefix) | set("0123456789.-") | set("IT1PIDF")  # IT1/PID tags
    return d if first_fit(env, fixed) == d else None


@dataclass(frozen=True, slots=True)
class BillingTables:
    """The store's order lines as read (connectors.state billing_lines: BILLING_LINE_COLUMNS, decimals as
    stored texts) and the canonical ORDER_LINES (CANONICAL_COLUMNS' lines) of the orders billed: what
    prepare_invoices writes the ordinary 810s' lines from, per column (engine.invoice_lines)."""

    lines: pa.Table
    order_lines: pa.Table
    orders: pa.Table | None = None  # the canonical ORDERS (CANONICAL_COLUMNS' orders); None: from the rows given


def order_rows(orders: pa.Table) -> dict[Key, dict]:
    """Canonical ORDERS rows as dicts per order (a later row of an order wins): what an 810 built one by
    one reads of its order."""
    return {(o["partner"], o["po_number"]): o for o in orders.to_pylist()}


def _text_invoices(due: Sequence[InvoiceDue], tables: BillingTables, *, orders: Mapping[Key, dict],
                   terms: Mapping[str, object], fast: Mapping[str, Delimiters | None],
                   profiles: Mapping[str, PartnerProfile], invoice_date: date, refused: Mapping[str, object],
                   before: set[Key] = frozenset(), exclude: Container[int] = frozenset(),
                   service_names: ServiceNames | None = None) -> dict[int, Batch810]:  # type: ignore[assignment]
    """_text_invoice's 810s of the ordinary invoices of ``due`` (index -> Batch810), written
    together per partner, per column from ``tables`` (engine.invoice_lines): an order's only invoice of
    the run (no earlier 810 of the run bills its units), not refused, of a partner with fast delimiters.
    An invoice with anything out of the ordinary (_text_invoice's None cases: a line not stored, without
    a price, not positive, beyond what shipped, twice, a value holding a delimiter) is left out: the
    caller builds it one by one, as ever. A batch is one partner's invoices carrying the same SACs
    (``before``: the orders invoiced before, whose flat charges per order are not billed again). The indexes
    in ``exclude`` (an invoice billing a catch-weight line by its weight) are built one by one."""
    per_order = Counter((d.partner, d.po_number) for d in due)
    batches: dict[tuple[str, tuple[Charge, ...] | None], list[int]] = {}
    scoped = {p: _scoped(profiles[p]) for p in dict.fromkeys(d.partner for d in due)}
    by_fob = {p: any(c.fob for c in profiles[p].fulfilment.invoice.charges) for p in scoped}  # SACs per PO's FOB
    for i, d in enumerate(due):
        if per_order[(d.partner, d.po_number)] == 1 and fast[d.partner] is not None and d.doc_key not in refused \
                and d.quantities and i not in exclude and not d.store:  # a store's 810: its mark-for, one by one
            charges = _charges(d, profiles[d.partner], (d.partner, d.po_number) in before,
                               orders.get((d.partner, d.po_number), {})) \
                if any(scoped[d.partner]) or by_fob[d.partner] else None  # None: the profile's charges, every 810's
            batches.setdefault((d.partner, charges), []).append(i)
    out: dict[int, Batch810] = {}
    quantities: dict[Decimal, tuple[int, str]] = {}  # a due quantity -> (in 10^-4 units or -1: not exact, IT102)
    split = len({p for p, _ in batches}) > 1  # several partners: each batch reads its partner's rows alone
    mine: dict[str, BillingTables] = {}
    for (partner, charges), chosen in batches.items():
        if split and partner not in mine:
            mine[partner] = _partner_tables(tables, partner)
        out.update(_text_batch([due[i] for i in chosen], chosen, mine[partner] if split else tables, orders=orders,
                               terms=terms[partner],
                               profile=profiles[partner], invoice_date=invoice_date,
                               delimiters=fast[partner], quantities=quantities,  # type: ignore[arg-type]
                               charges=charges, service_names=service_names))
    return out


def _partner_tables(tables: BillingTables, partner: str) -> BillingTables:
    """``tables``' rows of one partner, in their order: what its batches read (every row they pair is keyed by
    partner and PO), so that hundreds of partners' batches do not each read every partner's rows."""
    def pick(t: pa.Table) -> pa.Table:
        return t.filter(pc.equal(t["partner"], partner))

    return BillingTables(pick(tables.lines), pick(tables.order_lines),
                         None if tables.orders is None else pick(tables.orders))


def _quantity(q: Decimal, known: dict[Decimal, tuple[int, str]]) -> tuple[int, str]:
    units = q.scaleb(4)
    got = known[q] = (int(units) if units == units.to_integral_value() else -1, x12_decimal(q))
    return got


def _text_batch(ds: list[InvoiceDue], indexes: list[int], tables: BillingTables, *, orders: Mapping[Key, dict],
                terms, profile: PartnerProfile, invoice_date: date, delimiters: Delimiters,
                quantities: dict[Decimal, tuple[int, str]], charges: tuple[Charge, ...] | None = None,
                service_names: ServiceNames | None = None) -> dict[int, Batch810]:
    """_text_invoices for one partner's invoices ``ds`` (at ``indexes`` of the run's due list): lines
    (engine.invoice_lines), heads and tails (engine.invoice_heads) written per column, each invoice's
    text joined from the three, its invoice lines and order lines' billing made once for the batch."""
    counts = [len(d.quantities) for d in ds]
    qs = list(chain.from_iterable(d.quantities.values() for d in ds))
    for q in set(qs).difference(quantities):  # each distinct quantity once (a set keeps the first of equal ones)
        _quantity(q, quantities)
    cells = list(map(quantities.__getitem__, qs))
    try:
        units = np.fromiter(map(itemgetter(0), cells), np.int64, len(cells))
    except OverflowError:
        return {}
    numbers = list(chain.from_iterable(d.quantities for d in ds))
    invoice = np.repeat(np.arange(len(ds), dtype=np.int64), counts)
    partners, pos = pa.array([d.partner for d in ds], pa.string()), pa.array([d.po_number for d in ds], pa.string())
    numbered = pa.array(numbers, pa.int64())
    columns = line_columns(invoice, partners, pos, numbered, units,
                           [c[1] for c in cells], tables.lines, tables.order_lines, delimiters,
                           billed_state=LineState.INVOICED.value, ended=[s.value for s in ENDED_LINES])
    if columns is None:
        return {}
    settings = profile.fulfilment.invoice
    shipped = [_shipped(d) for d in ds]
    try:
        order_table = _orders_of(ds, tables, orders)
    except pa.ArrowException:  # rows an ORDERS table cannot hold: each 810 built alone
        return {}
    heads = heads_810(order_table, po_numbers=[d.po_number for d in ds], shipment_ids=[s[0] for s in shipped],
                      bills_of_lading=[s[1] for s in shipped], ship_dates=[s[2] for s in shipped],
                      invoice_date=invoice_date, pending=PENDING_NUMBER, settings=settings, terms=terms, d=delimiters)
    offsets = np.zeros(len(ds) + 1, np.int64)
    np.cumsum(counts, out=offsets[1:])
    method = _cad_method(profile)  # the CAD's transport method from each order's TD5 (as its 856 said)
    td5s = order_table["td5_sent"].to_pylist() if method and "td5_sent" in order_table.column_names else \
        [None] * len(ds)
    tails = None if heads is None else tails_810(
        merchandise=np.add.reduceat(columns.cents, offsets[:-1]), counts=np.asarray(counts, np.int64),
        line_invoice=invoice, quantities=units, units=columns.unit_column, settings=settings, d=delimiters,
        charges=charges, carriers=[_carrier(_last(d), {"td5_sent": t}, method, service_names) for d, t in zip(
            ds, td5s, strict=True)] if settings.carrier else ())
    if heads is None or tails is None:
        return {}
    texts = pc.binary_join_element_wise(heads.after, columns.texts, tails.texts, "").to_pylist()
    segments = (heads.segments + columns.segments + tails.segments).tolist()
    refused = columns.refused | set(np.flatnonzero(heads.refused).tolist())
    # the lines as the store writes them, as columns (no object per line); as InvoicedLines only when read
    stored = invoiced_texts(numbers, columns, units)
    ids, unit_of, price_text, cents = columns.stored_ids, columns.units, columns.price_text, columns.cents

    def invoiced(a: int, b: int) -> tuple[InvoicedLine, ...]:
        return tuple(map(tuple.__new__, repeat(InvoicedLine), zip(  # without a Python call each
            numbers[a:b], ids[a:b], qs[a:b], unit_of[a:b], decimals(price_text.slice(a, b - a)),
            cents_decimals(cents[a:b]), repeat(None, b - a), repeat("", b - a), strict=True)))
        # (a batch bills no line by weight: those are built one by one)
    at = pa.array(invoice, pa.int64())
    billing = pa.table({"partner": partners.take(at), "po_number": pos.take(at), "line_number": numbered,
                        "state": columns.states, "invoiced": columns.invoiced})  # the order lines once billed
    by_number = np.lexsort((np.asarray(numbers, np.int64), invoice))  # each invoice's order lines by number
    if np.any(by_number != np.arange(len(numbers))):
        billing = billing.take(pa.array(by_number, pa.int64()))
    starts, ends = offsets[:-1].tolist(), offsets[1:].tolist()
    settled = columns.settled.tolist()
    currency = heads.currency
    out: dict[int, Batch810] = {}
    for i, a, b in zip(range(len(ds)), starts, ends, strict=True):
        if i in refused:
            continue
        out[indexes[i]] = Batch810(delimiters, heads.before, texts[i], segments[i], invoice_date, currency[i],
                                   tails.merchandise[i], tails.charges[i], tails.totals[i],
                                   BatchLines(stored, invoiced, a, b),
                                   billing, a, b, settled[i])
    return out


def _last(d: InvoiceDue) -> ShipmentRecord | None:
    """The shipment an 810 of ``d`` dates (DTM 011) and whose carrier its CAD names: the one billed, or the last of
    an order billed whole."""
    ships = (d.shipment,) if d.shipment is not None else d.shipments
    return ships[-1] if ships else None


def _carrier(shipment: ShipmentRecord | None, order: Mapping | None = None, method: bool = False,
             service_names: ServiceNames | None = None) -> tuple[str, ...]:
    """The (carrier, bill of lading) an 810's CAD names (InvoiceSettings.carrier): the shipment billed's, or the
    last one's of an order billed whole; with ``method`` (_cad_method: CAD01 is mandatory in the partner's 810, or
    its 880's G2701 or CAD01) the shipment's transport method third, as its 856 gave it from the carrier, service
    level and the ``order``'s TD5 (engine.shipments.shipment_method: the PO's TD504 for that carrier, U for a parcel
    carrier, else M motor; the service level read by the shipment's warehouse's own names, ``service_names``:
    warehouse id -> WarehouseProfile.service_levels, as the 856 read it), unless the shipment keeps the TD504 its 856
    wrote (ShipmentRecord.transport_method: the warehouse's own W2701 or Transport Method among them), which it
    names then."""
    if shipment is None:
        return ()
    if not method:
        return shipment.carrier_scac, shipment.bill_of_lading
    stored = shipment.transport_method if shipment.carrier_scac else ""  # the 856's TD504, kept with the shipment
    return (shipment.carrier_scac, shipment.bill_of_lading, stored or
            shipment_method(shipment.carrier_scac, [(order or {}).get("td5_sent")], shipment.service_level,
                            (service_names or {}).get(shipment.warehouse)))


CAD01_FROM = "005010"  # the 810's CAD01 (transport method) is mandatory from this version, optional in 004010


def _cad_method(profile: PartnerProfile) -> bool:
    """Whether the CAD of ``profile``'s invoices carries the shipment's transport method (CAD01): for an 880 (G2701
    in 004010, CAD01 from 005010: both mandatory, a CAD without is left out: engine.invoice_880), and for an 810
    built by 005010 or later (CAD01 mandatory); a 004010 810's CAD is written without it, as before."""
    if not profile.fulfilment.invoice.carrier:
        return False
    if profile.invoice_set == SET_880:
        return True
    return (built_by(envelope_for(profile).gs08_for("810")) or profile.x12.version) >= CAD01_FROM


def bills_of_lading(ships) -> str:
    """The bills of lading of an order's shipments, each once and of 50 characters at most, "," apart: the 810's
    heading writes a REF*BM each (engine.invoice.head_810, engine.invoice_heads). They used to be cut to 50 together
    and written as one REF*BM ("SAIA7001,SAIA7002"): two trucks' 17-digit VICS numbers made a REF02 of 35, over
    004010's 30, and the order's 810 was never built (INVOICE_NOT_BUILT)."""
    return ",".join(dict.fromkeys(s.bill_of_lading[:50] for s in ships if s.bill_of_lading))


def _shipped(d: InvoiceDue) -> tuple[str, str, date | None]:
    """What an 810 of ``d`` says of its shipments: REF SI (the shipment billed, "" per order), REF BM
    (their bills of lading: bills_of_lading) and DTM 011 (the last one's date)."""
    if d.shipment is not None:
        s = d.shipment
        return s.shipment_id, s.bill_of_lading[:50] if s.bill_of_lading else "", s.ship_date
    ships = d.shipments
    return ("", bills_of_lading(ships),
            ships[-1].ship_date if ships else None)


def _orders_of(ds: Sequence[InvoiceDue], tables: BillingTables, orders: Mapping[Key, dict]) -> pa.Table:
    """The canonical ORDERS row of each invoice's order (nulls for an order without one), from the
    tables when given, else from the rows per order."""
    if tables.orders is None:
        return pa.Table.from_pylist([{**orders.get((d.partner, d.po_number), {}), "partner": d.partner} for d in ds])
    table = tables.orders
    at = {k: i for i, k in enumerate(zip(table["partner"].to_pylist(), table["po_number"].to_pylist(), strict=True))}
    return table.take(pa.array([at.get((d.partner, d.po_number)) for d in ds], pa.int64()))


@dataclass(frozen=True, slots=True)
class Batch810:
    """An ordinary 810 as _text_batch writes it with the run's others: its text in ``delimiters``, BIG02
    (its number) to go between ``before`` and ``after``; what its invoice record holds (date, currency,
    sums, lines); its order lines once billed (rows ``start``:``end`` of its batch's ``billing``: LINE_UPDATES
    but run_id, the lines by number with their states and invoiced units as stored: what plan_invoices
    sets) and whether every line of its order is then billed in full or ended."""

    delimiters: Delimiters
    before: str
    after: str
    segments: int
    invoice_date: date
    currency: str
    merchandise: Decimal
    charges: Decimal
    total: Decimal
    lines: BatchLines  # its lines among the batch's (as columns; InvoicedLines when read)
    billing: pa.Table
    start: int
    end: int
    settled: bool


def _text_invoice(d: InvoiceDue, by_number: Mapping[int, LineRecord], order: dict, rows: Mapping[str, object],
                  terms, profile: PartnerProfile, invoice_date: date,
                  billed: Mapping[int, Decimal], delimiters: Delimiters,
                  cells: dict[tuple[Decimal, Decimal], tuple[str, str, Decimal]],
                  charges: tuple[Charge, ...] | None = None, service_names: ServiceNames | None = None
                  ) -> Text810 | None:
    """_invoice's 810 written straight as text with ``delimiters`` (what render_body gives its body),
    or None when anything calls for _invoice itself: a line not stored, without a price, not positive,
    billed twice or beyond what shipped, a value holding a delimiter, a row not read from columns.
    ``billed``: line number -> units of this order billed by the run's earlier 810s; ``cells``: (quantity,
    price) -> their texts and amount, shared by a run's 810s."""
    e, end = delimiters.element, delimiters.segment + delimiters.suffix
    written: list[tuple[str, str, Decimal, Decimal]] = []  # (line id, unit, price, amount) per line
    parts: list[str] = []
    flat: Sequence[str | None]  # a line's product ids: qualifier, id, ...
    segments = separators = 0  # IT1/PID segments and element separators written
    line_of, row_of, cell_of = by_number.get, rows.get, cells.get
    for n, q in d.quantities.items():
        ln = line_of(n)
        if ln is None:
            return None
        line_id = ln.line_id or str(n)
        price = ln.ack_price if ln.ack_price is not None else ln.unit_price
        if price is None or not q > 0 or price < 0 or q > ln.shipped - (ln.invoiced + billed[n] if n in billed
                                                                         else ln.invoiced):
            return None
        row = row_of(line_id)
        if row is None:
            unit, basis, description, flat = ln.unit or "EA", "", "", ()
        else:
            if not isinstance(row, LineText):  # an ORDER_LINES row as a dict
                ids = row.get("product_ids") or []  # type: ignore[attr-defined]
                if not all(isinstance(p, dict) for p in ids) or row.get("pids_sent"):  # type: ignore[attr-defined]
                    return None
                row = LineText(row.get("unit"), row.get("price_basis"), row.get("description"),  # type: ignore
                               tuple((p.get("qualifier"), p.get("id")) for p in ids),
                               weight_ordered=row.get("weight_ordered"),  # type: ignore[attr-defined]
                               weight_basis_sent=row.get("weight_basis_sent"))  # type: ignore[attr-defined]
                if not all(v is None or isinstance(v, str) for v in row[:3]):
                    return None  # a value that is not text
            if row.pids_sent:  # a line's PIDs as sent (PID02, several): _invoice writes each
                return None
            stored_unit, stored_basis, stored_description, pids = row[:4]  # a LineText's fields, unpacked at once
            stored_basis = basis_sent(stored_basis, row.weight_ordered, row.weight_basis_sent)  # IT105 as sent
            unit, basis = ln.unit or stored_unit or "EA", stated_basis(stored_basis, ln.codes, ln.ack_price is not None,
                                                                    ln.unit_eaches)
            description = x12_text(stored_description) if stored_description else ""  # PID05 at most 80
            if not pids:
                flat = ()
            elif len(pids) == 1:  # most lines: one product id
                flat = pids[0] if pids[0][1] else ()
            else:
                flat = [v for qualifier, pid in pids if pid for v in (qualifier, pid)][:20]
        if basis and priced_per(unit, basis) != 1:  # a price per thousand feet kept as sent: its own amount
            cell = (x12_decimal(q), x12_decimal(price), line_money(q, price, unit, basis))
        elif (cell := cell_of((q, price))) is None:  # (IT102, IT104, the line's amount) once per quantity and price
            cell = cells[(q, price)] = (x12_decimal(q), x12_decimal(price), money(q * price))
        try:
            if flat:
                parts.append(f"IT1{e}{line_id}{e}{cell[0]}{e}{unit}{e}{cell[1]}{e}{basis}{e}{e.join(flat)}{end}")
                separators += 5 + len(flat)
            elif basis:
                parts.append(f"IT1{e}{line_id}{e}{cell[0]}{e}{unit}{e}{cell[1]}{e}{basis}{end}")
                separators += 5
            else:
                parts.append(f"IT1{e}{line_id}{e}{cell[0]}{e}{unit}{e}{cell[1]}{end}")
                separators += 4
        except TypeError:  # a qualifier that is not text
            return None
        segments += 1
        if description:
            parts.append(f"PID{e}F{e}{e}{e}{e}{description}{end}")
            separators += 5
            segments += 1
        written.append((line_id, unit, price, cell[2]))
    if not written:
        return None
    lines = "".join(parts)
    # a value holding a delimiter: each delimiter counted once over the lines' text, against what the
    # segments put there themselves (no tag nor number holds one: _fast_delimiters)
    for ch in {delimiters.element, delimiters.component, delimiters.segment, delimiters.repetition} - {""}:
        if lines.count(ch) != (separators if ch == e else 0) + segments * end.count(ch):
            return None
    line_ids, us, ps, exts = map(list, zip(*written, strict=True))
    if len(set(line_ids)) != len(line_ids):
        return None
    return _finish(d, order, terms, profile, invoice_date, delimiters, line_ids, list(d.quantities.values()), us, ps,
                   exts, lines, segments, charges, service_names)


def _finish(d: InvoiceDue, order: dict, terms, profile: PartnerProfile, invoice_date: date, delimiters: Delimiters,
            line_ids: list[str], qs: list[Decimal], us: list[str], ps: list[Decimal], exts: list[Decimal],
            lines: str, segments: int, charges: tuple[Charge, ...] | None = None,
            service_names: ServiceNames | None = None) -> Text810 | None:
    """The 810 of ``d`` as text around its IT1/PID ``lines`` (``segments`` of them; the lines' values
    as columns): its head (BIG .. DTM) and tail (TDS .. CTT) rendered with ``delimiters``, BIG02 left
    out; None when a head or tail value holds a delimiter."""
    partner, po = d.partner, d.po_number
    e = delimiters.element
    ships = (d.shipment,) if d.shipment is not None else d.shipments
    last = _last(d)
    head = invoice_head(po, (), {**order, "partner": partner}, number=PENDING_NUMBER, invoice_date=invoice_date,
                 settings=profile.fulfilment.invoice, terms=terms,
                 remit_to=None, shipment_id=d.shipment.shipment_id if d.shipment is not None else "",
                 bill_of_lading=bills_of_lading(ships),
                 ship_date=last.ship_date if last else None, charges=charges,
                 carrier=_carrier(last, order, _cad_method(profile), service_names))
    settings = profile.fulfilment.invoice
    merchandise = sum(exts, Decimal(0))
    charges, total = charged(head, merchandise)
    before, after = head_810(head, settings, total), tail_810(settings, total, charges, us, qs, carrier=head.carrier)
    try:
        text, tail = render_body(before, delimiters), render_body(after, delimiters)
    except DelimiterCollision:  # a value holding one of the delimiters
        return None
    number_at = len(f"BIG{e}{before[0][1]}{e}")
    if text[number_at:number_at + len(PENDING_NUMBER) + 1] != PENDING_NUMBER + e:
        return None
    return Text810(head, line_ids, qs, us, ps, Body810([], exts, merchandise, total), delimiters, text[:number_at],
                   "".join([text[number_at + len(PENDING_NUMBER):], lines, tail]),
                   len(before) + segments + len(after))


@dataclass(frozen=True, slots=True)
class Text810(Order810):
    """An 810 as _text_invoice writes it: Order810's head, line columns and sums (``built.body`` empty),
    and its text in the delimiters chosen, BIG02 (its number) to go between ``before`` and ``after``."""

    delimiters: Delimiters
    before: str
    after: str
    segments: int


def _invoice(d: InvoiceDue, by_number: Mapping[int, LineRecord], order: dict, order_lines: Mapping[str, dict],
             terms, profile: PartnerProfile, invoice_date: date, billed: Mapping[int, Decimal],
             charges: tuple[Charge, ...] | None = None,
             weights: Mapping[str, tuple[Decimal, str]] | None = None, po_sacs: Sequence[PoSac] = (),
             taxes: Sequence = (), classes: Mapping[int, str] | None = None,
             service_names: ServiceNames | None = None) -> Order810:
    quantities: dict[str, Decimal] = {}
    units: dict[str, str] = {}
    prices: dict[str, Decimal] = {}
    for n, q in d.quantities.items():
        ln = by_number[n]
        line_id = ln.line_id or str(n)
        quantities[line_id] = q
        units[line_id] = ln.unit
        price = ln.ack_price if ln.ack_price is not None else ln.unit_price
        if price is not None:
            prices[line_id] = price
        row = order_lines.get(line_id)
        if row is not None and row.get("price_basis") and \
                not stated_basis(row.get("price_basis"), ln.codes, ln.ack_price is not None, ln.unit_eaches):
            order_lines = {**order_lines, line_id: {**row, "price_basis": "",  # our price per PO103 unit
                                                    "weight_basis_sent": ""}}
    shipped = {by_number[n].line_id or str(n): by_number[n].shipped for n in d.quantities}
    already = {by_number[n].line_id or str(n): by_number[n].invoiced + billed.get(n, ZERO) for n in d.quantities}
    ships = (d.shipment,) if d.shipment is not None else d.shipments
    last = _last(d)
    bol = bills_of_lading(ships)
    return order_810(d.po_number, quantities, units, {**order, "partner": d.partner}, order_lines, prices,
                     number=PENDING_NUMBER, invoice_date=invoice_date, settings=profile.fulfilment.invoice,
                     terms=terms, shipment_id=d.shipment.shipment_id if d.shipment is not None else "",
                     bill_of_lading=bol, ship_date=last.ship_date if last else None,
                     carrier=_carrier(last, order, _cad_method(profile), service_names),
                     shipped=shipped,
                     already_invoiced=already, charges=charges, weights=weights, po_sacs=po_sacs,
                     first=not po_sacs or not (billed or any(ln.invoiced > 0 for ln in by_number.values())),
                     taxes=taxes, classes={by_number[n].line_id or str(n): c for n, c in classes.items()
                                           if n in by_number} if classes and taxes else None)


def tax_classes(skus: Mapping[tuple[str, str, int], str], items: pa.Table) -> dict[Key, dict[int, str]]:
    """Per order, line number -> items.csv's tax_class of the line's SKU (``skus``: (partner, PO, line number) ->
    SKU, as the rules resolved it), for the lines whose item has one (prepare_invoices' ``classes``)."""
    if "tax_class" not in items.column_names:
        return {}
    of = {sku: (c or "").strip() for sku, c in zip(items["sku"].to_pylist(), items["tax_class"].to_pylist(),
                                                   strict=True) if (c or "").strip()}
    out: dict[Key, dict[int, str]] = {}
    for (partner, po, n), sku in skus.items():
        if sku in of:
            out.setdefault((partner, po), {})[n] = of[sku]
    return out


def invoice_number(n: int, profile: PartnerProfile) -> str:
    """BIG02 for the company-wide sequence's number ``n``: the profile's prefix, 7 digits at least."""
    return f"{profile.fulfilment.invoice.number_prefix}{n:07d}"


def _document(d: InvoiceDue, body: list, env: Envelope, set_id: str = "810", functional_id: str = "IN"
              ) -> PlannedDocument:
    """The numbered 810 (or the grocer's 880: ``set_id`` "880", group GP) as a document rendered here with the
    first delimiter set none of its values (nor the envelope's) uses - what the store's renderer would choose -,
    or as segments when none fits (the store holds it)."""
    delimiters = first_fit(env, body_chars([body]))
    if delimiters is None:
        return transaction_set(set_id, functional_id, d.doc_key, body, partner=d.partner, po_number=d.po_number)
    text = render_body(body, delimiters)
    return PlannedDocument(d.partner, set_id, functional_id, (PlannedSet(d.doc_key, po_number=d.po_number,
                                                                         text=text, segments=len(body)),),
                           delimiters=delimiters)


def billed_again(due: Sequence[InvoiceDue], lines: Mapping[Key, Sequence[LineRecord | BilledLine]]) -> set[Key]:
    """The bill-only orders of ``due`` (an 810 of a usage record, engine.bill_only.BILL_ONLY_USAGE) some unit of
    which an 810 billed before (``lines``: their stored lines, read only for those): the 810 due bills units an 860
    added since (plan_invoices names it: BILL_ONLY_INVOICED_AGAIN)."""
    used = {(d.partner, d.po_number) for d in due
            if any(s.warehouse == BILL_ONLY_USAGE for s in (*((d.shipment,) if d.shipment else ()), *d.shipments))}
    return {k for k in used if any(ln.invoiced > 0 for ln in lines.get(k, ()))}


def plan_invoices(prepared: Sequence[PreparedInvoice], *, numbers: Sequence[int],
                  records: Mapping[Key, OrderRecord | BilledOrder], lines: Mapping[Key, Sequence[LineRecord]],
                  profiles: Mapping[str, PartnerProfile], billed: Billed | None = None, at: str,
                  run_id: str, earlier: Mapping[Key, Sequence[str]] | None = None) -> Plan:
    """The 810s of ``prepared`` numbered in order with ``numbers`` (one each), their invoice records,
    the order lines' invoiced quantities and states, the orders' moves and the shipments now billed
    (``billed``: from invoices_due; a shipment whose invoices did not all get prepared stays due). ``earlier``: the
    bill-only orders billed before (billed_again) and their earlier 810s' numbers: each of their 810s here is named
    for finance (BILL_ONLY_INVOICED_AGAIN, with the units it bills)."""
    if len(numbers) != len(prepared):
        raise ValueError(f"{len(prepared)} invoices need as many numbers, {len(numbers)} were taken")
    moved: dict[Key, OrderState] = {}  # per order: its state once this run's 810s so far are sent
    events: list[tuple] = []  # per 810, its order's move: partner, PO, event, from, to, revision, note, doc key
    numbered: dict[Key, dict[int, LineRecord]] = {}

    def work(key: Key) -> dict[int, LineRecord]:  # an order's lines by number, made when first needed
        got = numbered.get(key)
        if got is None:
            got = numbered[key] = {ln.line_number: ln for ln in lines.get(key, ())}
        return got

    batches: dict[int, tuple[pa.Table, list[tuple[int, int]]]] = {}  # the Batch810s' billing rows, per batch
    once = Counter((p.due.partner, p.due.po_number) for p in prepared)
    envelopes: dict[str, Envelope] = {}
    now_billed: dict[Key, dict[int, tuple[Decimal, LineState]]] = {}  # no LineRecord copied per line
    invoiced_state = LineState.INVOICED
    docs, invoices = [], []
    made: set[str] = set()  # the doc keys of the 810s planned
    for p, n in zip(prepared, numbers, strict=True):
        d, built = p.due, p.built
        key, doc_key = (d.partner, d.po_number), d.doc_key
        made.add(doc_key)
        profile = profiles[d.partner]
        number = invoice_number(n, profile)
        if isinstance(built, Batch810):  # written with the batch: its lines and their billing as read there
            if once[key] != 1:
                raise ValueError(f"PO {d.po_number}: an 810 written with its batch must be its order's only one")
            docs.append(PlannedDocument(d.partner, "810", "IN", (PlannedSet(
                doc_key, po_number=d.po_number, text=built.before + number + built.after,
                segments=built.segments),), delimiters=built.delimiters))
            invoices.append(InvoiceRecord(
                partner=d.partner, invoice_number=number, po_number=d.po_number, invoice_date=built.invoice_date,
                lines=built.lines, merchandise=built.merchandise, charges=built.charges, total=built.total,
                doc_key=doc_key, warehouse=d.shipment.warehouse if d.shipment else "",
                shipment_id=d.shipment.shipment_id if d.shipment else "", currency=built.currency, created_at=at,
                run_id=run_id))
            spans = batches.get(id(built.billing))
            if spans is None:
                spans = batches[id(built.billing)] = (built.billing, [])
            spans[1].append((built.start, built.end))  # its lines' billing: the batch's rows
            done, total, currency, count = built.settled, built.total, built.currency, len(built.lines)
        else:
            billing = now_billed.setdefault(key, {})  # line number -> (invoiced, state) after this run's 810s so far
            current = None
            head, sums = built.head, built.built
            billed_lines: list[tuple] = []  # InvoicedLines' values
            done = True  # every line of the order shipped in full and invoiced, or ended: its lines billed here first
            weighed = p.weights or {}  # line id -> (net weight, unit) of a line billed by weight
            for (k, q), unit, price, amount in zip(d.quantities.items(), built.units, built.prices, sums.extensions,
                                                   strict=True):
                current = current if current is not None else work(key)
                ln = current[k]
                was = billing.get(k)
                shipped = ln.shipped
                total = (ln.invoiced if was is None else was[0]) + q
                if total > shipped:
                    raise DocumentError("would invoice more than shipped", po=d.po_number, invoice=number)
                # (ln.unshipped <= 0: promised, exactly for a measure's fraction, <= shipped)
                if ln.promised_exact <= shipped <= total:
                    billing[k] = (total, invoiced_state)
                else:
                    billing[k] = after = (total, ln.state if was is None else was[1])
                    done = done and after[1] in ENDED_LINES
                w = weighed.get(ln.line_id or str(k)) if weighed else None
                billed_lines.append((k, ln.line_id, q, unit, price, amount, *(w or (None, ""))))
            if isinstance(built, Text810):  # written as text already: numbered in place
                docs.append(PlannedDocument(d.partner, "810", "IN", (PlannedSet(
                    doc_key, po_number=d.po_number, text=built.before + number + built.after,
                    segments=built.segments),), delimiters=built.delimiters))
            else:
                body = built.built.body
                big = body[0]
                if big[0] not in ("BIG", "G01") or big[2] != PENDING_NUMBER:
                    raise DocumentError("a prepared 810 does not start with its BIG", po=d.po_number)
                body = [[big[0], big[1], number, *big[3:]], *body[1:]]  # built and checked once, now numbered
                env = envelopes.get(d.partner)
                if env is None:
                    env = envelopes[d.partner] = envelope_for(profile)
                docs.append(_document(d, body, env, *((SET_880, GP) if big[0] == "G01" else ())))
            invoices.append(InvoiceRecord(
                partner=d.partner, invoice_number=number, po_number=d.po_number, invoice_date=head.invoice_date,
                lines=tuple(map(tuple.__new__, repeat(InvoicedLine), billed_lines)),  # without a Python call each
                merchandise=sums.merchandise, charges=sums.total - sums.merchandise - sums.tax, total=sums.total,
                doc_key=doc_key, warehouse=d.shipment.warehouse if d.shipment else "",
                shipment_id=d.shipment.shipment_id if d.shipment else "", currency=head.currency, created_at=at,
                run_id=run_id, tax=sums.tax))
            current = current if current is not None else work(key) if done else {}
            for k, ln in current.items() if done and len(current) > len(billed_lines) else ():  # the others
                if k in d.quantities:
                    continue
                was = billing.get(k)
                invoiced, state = (ln.invoiced, ln.state) if was is None else was
                if not ln.promised_exact <= ln.shipped <= invoiced and state not in ENDED_LINES:
                    done = False
                    break
            total, currency, count = sums.total, head.currency, len(built.line_ids)
        event = EventKind.INVOICED_IN_FULL if done else EventKind.INVOICED_IN_PART
        note = f"810 {number}: {money_text(total, currency)} {currency}".rstrip() + f" for {count} line(s)"
        if d.shipment is not None:
            note += f" of shipment {d.shipment.shipment_id}"
        record = records[key]
        before = moved.get(key, record.state)
        to = next_state(before, event)
        if to is None:  # the order moved since invoices_due: a programming error, not input
            refused = TransitionRefused(record if before is record.state else record.evolve(state=before), event)
            raise DocumentError("an invoiced order cannot move", po=d.po_number, error=str(refused)) from refused
        moved[key] = to
        events.append((d.partner, d.po_number, event, before, to, record.revision, note[:1000], doc_key))
    texts: dict[Decimal, str | None] = {}  # decimal_text of each distinct invoiced quantity once

    def text(value: Decimal) -> str | None:
        t = texts[value] = decimal_text(value)
        return t

    updates: list[tuple[str, str, int, str, str | None]] = []
    for (partner, po), billing in sorted(now_billed.items()):  # below: a StrEnum's text
        updates += [(partner, po, n, str.__str__(state), texts.get(invoiced) or text(invoiced))
                    for n, (invoiced, state) in sorted(billing.items())]
    again = tuple(FindingRecord(invoiced_again(v, {ln.line_number: ln.invoiced for ln in lines.get(k, ())},
                                               earlier[k]), v.partner, v.po_number, INVOICED_AGAIN_CONSEQUENCE, STAGE)
                  for v in invoices if earlier and (k := (v.partner, v.po_number)) in earlier)
    return Plan(documents=tuple(docs), invoices=tuple(invoices), findings=again,
                billed=tuple(k for k, waits in (billed or {}).items() if set(waits) <= made),
                decided=(moved_orders(records, moved, events, at=at, run_id=run_id),) if events else (),
                line_update_tables=_line_updates(batches.values(), updates, run_id))


def _line_updates(batches, rows: list[tuple[str, str, int, str, str | None]], run_id: str) -> tuple[pa.Table, ...]:
    """The order lines' billing as one LINE_UPDATES table (Plan.line_update_tables): each batch's rows of
    the Batch810s planned (``batches``: its billing table, their (start, end) spans in plan order), then
    ``rows`` (partner, PO, line number, state, invoiced) of the 810s built one by one; () for none."""
    parts = []
    for table, spans in batches:
        whole = spans[0][0] == 0 and spans[-1][1] == table.num_rows and all(
            a[1] == b[0] for a, b in zip(spans, spans[1:], strict=False))
        parts.append(table if whole else table.take(pa.array(np.concatenate(
            [np.arange(a, b, dtype=np.int64) for a, b in spans]), pa.int64())))
    if rows:
        parts.append(pa.table(dict(zip(LINE_UPDATES.names[:5], map(list, zip(*rows, strict=True)), strict=True)),
                              schema=pa.schema(list(LINE_UPDATES)[:5])))
    if not parts:
        return ()
    table = pa.concat_tables([p.cast(pa.schema(list(LINE_UPDATES)[:5])) for p in parts]).combine_chunks()
    run = pa.repeat(pa.scalar(run_id, pa.string()), table.num_rows)
    return (table.append_column(LINE_UPDATES.field("run_id"), run),)


def plan_close(records: Sequence[OrderRecord], *, lines: Mapping[Key, Sequence[LineRecord | BilledLine]],
               delivered: Mapping[Key, bool], at: str, run_id: str) -> Plan:
    """Invoiced orders whose every 810 is delivered (``delivered``: order -> all its 810s delivered)
    close; their invoiced lines too (Plan.line_updates: state and run set in place, nothing else)."""
    transitions, closed = [], []
    for r in records:
        if r.state not in TO_CLOSE or not delivered.get(r.key):
            continue
        transitions.append(move(r, EventKind.CLOSED, at=at, run_id=run_id,
                                note="every unit shipped and invoiced, the invoices delivered"))
        closed += [(*r.key, ln.line_number, LineState.CLOSED.value, decimal_text(ln.invoiced), run_id)
                   for ln in lines.get(r.key, ()) if ln.state == LineState.INVOICED]
    return Plan(transitions=tuple(transitions), line_updates=tuple(closed))


def delivered_orders(rows: Sequence[tuple[str, str, str | None, str | None]], *, before: str) -> dict[Key, bool]:
    """Per order, whether it has 810s and every one was delivered before ``before`` (a run clock);
    ``rows``: (partner, PO, doc key or None, delivered_at or None) per invoice (StateStore.closing_invoices)."""
    out: dict[Key, bool] = {}
    for partner, po, key, when in rows:
        ok = key is not None and when is not None and when < before
        out[(partner, po)] = out.get((partner, po), True) and ok
    return out


__all__ = ["Batch810", "BilledLine", "BilledOrder", "BillingTables", "InvoiceDue", "Lazy", "LineText", "ShippedUnits",
           "Units", "billed_lines", "billed_orders", "delivered_orders", "line_texts", "order_rows", "order_shipments",
           "shipment_units", "shipments_to_bill", "PreparedInvoice", "invoice_number", "invoices_due", "plan_close",
           "net_weights", "plan_invoices", "prepare_invoices", "HELD_NOT_ON_880", "unstated", "memo_order",
           "plan_memo"]
