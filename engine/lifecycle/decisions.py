"""The decide stage's last step: from the rules' decisions and the allocation to each order's final
answer. A held order waits for a person; an accepted or rejected one gets its line states, its
reservations, and the documents that answer that final decision: the 855 (BAK01 05 for an order
answered before) and, for 860s applied since the last answer, the 865 built from the re-decided
lines (a changed line the rules reject is IR in the 865, never first IA and then contradicted).

Pure: typed records and stored lines, the run's canonical rows, decisions and allocation in; a Plan out.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engine.ack_head_fit import change_unfit, heads_unfit, not_sent
from engine.answer import (
    LINE_STATUS,
    LineStatus,
    first_ship_day,
    line_states,
    one_day,
    order_values,
    part_statuses,
    same_rows,
    status_from_line,
    status_rows,
    status_table,
    statuses_855,
    statuses_of,
    tells_something_new,
    unique_rows,
)
from engine.changes import ACCEPTED as POC_ACCEPTED
from engine.changes import DELETED, NO_RESPONSE_NOTE, ChangeResult, answer_wanted
from engine.changes import REJECTED as POC_REJECTED
from engine.csv_ack import build_csv_ack, build_csv_held
from engine.decide import PENDING, REJECTED, OrderDecision, line_decisions_spans, owners
from engine.envelope import envelope_for
from engine.lifecycle.allowance_hold import ALLOWANCE_AFTER_SHIPMENT_HELD
from engine.lifecycle.batches import group
from engine.lifecycle.changes import _AFTER_SHIPMENT, AppliedChange
from engine.lifecycle.common import PlanError, contain, transaction_set
from engine.lifecycle.table import BILLABLE, TransitionRefused, move, moves, next_state
from engine.order_status import build_870
from engine.po_ack import (
    HEAD_KEYS,
    PLAIN,
    SAC_LIST,
    _num,
    ack_type,
    agreed_sacs_855,
    build_855,
    delimiter_use,
    element_values,
    render_855s,
)
from engine.po_change_ack import build_865, change_ack_type, change_sacs_865
from parsers.x12_writer import delimiter_chars
from rules.business.by_weight import WEIGHT_AS_SENT, as_sent_by_weight
from rules.distinct import decimal_texts, truncated
from schemas.changes import LINE_DECIDING_DATES, LINE_SHIP_DAYS
from schemas.findings import Finding
from schemas.fulfilment import CsvAckSettings, PoAckSettings
from schemas.grouping import in_key_order
from schemas.inventory import SHIPPED_WHILE_HELD
from schemas.lifecycle import (
    DECIDED_EVENTS,
    DECIDED_ORDERS,
    ENDED_LINES,
    GONE_LINES,
    HELD_FOR_A_PERSON,
    LINE_ROWS,
    ORDER_KEYS,
    RESERVATION_ROWS,
    ChangeUpdate,
    Clock,
    DecidedOrders,
    EventKind,
    FindingRecord,
    LineRecord,
    LineState,
    OrderLines,
    OrderRecord,
    OrderReservations,
    OrderState,
    OrderTransition,
    Plan,
    PlannedDocument,
    PlannedSet,
    Reservation,
    ReservationTable,
    decimal_text,
    line_record,
    line_row,
)
from schemas.orders import LINE_DATES, SHIP_COMPLETE, Transit, exact_prices
from schemas.profile import PartnerProfile
from schemas.reasons_text import join_reasons
from schemas.units import (
    KEPT_PER_MANY_BASES,
    PRICE_PER_EACH,
    backordered_stored,
    priced_per,
    rejected_stored,
)
from schemas.x12 import Delimiters

Key = tuple[str, str]
GONE = GONE_LINES
# DecidedOrders' tables with the position of each row's decision (and each event's step) in the batch
_DECIDED_AT = DECIDED_ORDERS.append(pa.field("_at", pa.int64(), nullable=False))
_EVENTS_AT = DECIDED_EVENTS.append(pa.field("_at", pa.int64(), nullable=False)).append(
    pa.field("_step", pa.int64(), nullable=False))
# what the answer reads of a line: the 855 echoes these, the line row keeps some
# what the answer reads of an order's head
_HEAD_COLUMNS = ("partner", "po_number", "requested_ship_date", "po_date", "source_sha256", "order_ref",
                 "release_number")
_LINE_COLUMNS = ["line_number", "line_id", "quantity", "unit", "unit_price", "price_basis", "product_ids", "sku",
                 "vendor_part", "buyer_part", "requested_ship_date", "ship_not_before",  # the line's ship day
                 "do_not_deliver_before", "requested_delivery_date",  # (its DTM 064 / 002, with its partner's
                 # transit days: _own_ship_days)
                 *WEIGHT_AS_SENT,  # the 855 answers by weight
                 "substitute_ids", "ordered_sku",  # a substitute's ids (its ACK*IS) and the item ordered
                 "line_refs"]  # the line's own REFs (PoAckSettings.line_refs: REF after PO1)


def plan_decisions(records: Mapping[Key, OrderRecord], decisions: Sequence[OrderDecision], *, orders: pa.Table,
                   lines: pa.Table, allocation: pa.Table | None, stored_lines: Mapping[Key, tuple[LineRecord, ...]],
                   reservations: Mapping[Key, tuple[Reservation, ...]],
                   applied: Mapping[Key, list[AppliedChange]], profiles: Mapping[str, PartnerProfile],
                   today: date, at: str, run_id: str,
                   told_lines: Mapping[Key, tuple[LineRecord, ...]] | None = None,
                   agreed: Mapping[Key, Sequence] | None = None) -> Plan:
    """One plan for every decision, in the decisions' order (which numbers the 855s). ``lines`` are the
    item-resolved lines the rules saw; ``allocation`` the allocation's line rows; ``stored_lines`` and
    ``reservations`` what the order holds now (after this run's 860s; only orders with a revision
    beyond their 850 can hold deleted or cancelled lines); ``told_lines`` the lines as they were
    before this run's 860s (what the partner was last told), default ``stored_lines``. ``agreed``: each PO's
    allowances a deal pre-approved (rules.suite.SuiteResult.agreed), echoed by the 855 of a partner whose profile
    asks ([acks.po_ack] allowances = "agreed").

    Every order is concluded in one columnar batch (statuses, 855s, line rows, reservations, and its
    move with its history events: Plan.decided, in decision order; an order answered by its 855 alone
    is moved as columns, the others through move/moves and _conclude, as the same rows); if the
    batch fails, it is split in halves until the failing orders stand alone: each of those is held
    with its finding (ORDER_DECISION_FAILED) and every other order is answered as usual."""
    ctx = _Context(records, orders, lines, allocation, stored_lines, reservations, applied, profiles, today=today,
                   at=at, run_id=run_id, told=stored_lines if told_lines is None else told_lines)
    ctx.agreed = agreed or {}
    return ctx.planned(list(decisions))


class _Context:
    """What every batch of one plan_decisions call shares."""

    agreed: Mapping = {}  # (partner, PO) -> its agreed allowances (plan_decisions' ``agreed``)

    def __init__(self, records, orders: pa.Table, lines: pa.Table, allocation: pa.Table | None, stored, reserved,
                 applied, profiles, *, today: date, at: str, run_id: str, told) -> None:
        self.records, self.lines, self.allocation = records, lines, allocation
        self.stored, self.reserved, self.applied, self.profiles, self.told = stored, reserved, applied, profiles, told
        self.today, self.at, self.run_id = today, at, run_id
        # each PO's head values as columns (a list each; dates through numpy) and its row (the last row of a
        # PO number given twice): no dict per order
        heads = self.head_columns = {c: _py_dates(orders[c]) if pa.types.is_date32(orders.schema.field(c).type)
                                     else orders[c].to_pylist() for c in _HEAD_COLUMNS}
        self.head_at = {k: i for i, k in enumerate(zip(heads["partner"], heads["po_number"], strict=True))}
        transit = {pid: p.fulfilment.asn.transit for pid, p in profiles.items()}
        self.ship_dates = _ship_from(orders, heads["requested_ship_date"], transit)
        self.po_dates = heads["po_date"]
        self.shas = heads["source_sha256"]
        self._orders, self._more = orders, {}
        self.line_index = pa.table({"partner": lines["partner"], "po_number": lines["po_number"],
                                    "line_number": pc.cast(lines["line_number"], pa.int32()),
                                    "_l": pa.array(np.arange(lines.num_rows))})

    def head_column(self, name: str) -> list:
        """A head column besides _HEAD_COLUMNS (what a partner's 855 heading echoes), read once when
        first asked for; a column the orders table lacks (rows stored before it existed) reads as None."""
        if name not in self._more:
            orders = self._orders
            self._more[name] = orders[name].to_pylist() if name in orders.column_names else [None] * orders.num_rows
        return self._more[name]

    def head(self, key: Key) -> dict:
        """The PO's head values (_HEAD_COLUMNS) as a row."""
        i = self.head_at[key]
        return {c: values[i] for c, values in self.head_columns.items()}

    def planned(self, decisions: list[OrderDecision]) -> Plan:
        if not decisions:
            return Plan()
        try:
            return _Batch(self, decisions).plan()
        except Exception as exc:  # noqa: BLE001 - one order's failure must not stop the others
            if len(decisions) == 1:
                d = decisions[0]
                plan = contain(self.records.get((d.partner, d.po_number)), exc, at=self.at, run_id=self.run_id,
                               stage="decide", partner=d.partner, po_number=d.po_number)
                # the order's move among the other decisions' (in decision order): as theirs, columnar
                return replace(plan, transitions=(), decided=(_in_order(decided_orders(plan.transitions)),)) \
                    if plan.transitions else plan
            mid = len(decisions) // 2
            return self.planned(decisions[:mid]) + self.planned(decisions[mid:])


class _Batch:
    """Some decided orders concluded together: statuses, documents, lines, reservations, transitions."""

    _went: Mapping = {}  # (partner, PO, line) -> stored record of changed lines with shipped units: plan() sets them
    _told: dict  # (partner, PO, line) of those -> the ACK01 the 865 answering their change says (_conclude)

    def __init__(self, ctx: _Context, decisions: list[OrderDecision]) -> None:
        self.ctx, self.decisions = ctx, decisions

    def plan(self) -> Plan:
        ctx = self.ctx
        answering = [d for d in self.decisions if d.status != PENDING]
        # each answering order's record, whether it revises an answer, and its 855's key: looked up once
        records = self._records = [ctx.records[(d.partner, d.po_number)] for d in answering]
        self._revised = [r.answered_revision > 0 for r in records]  # OrderRecord.is_revision
        # orders that shipped (in part or whole) whose 860 added lines: only those lines are decided; the
        # order is not rejected (nor answered by a revised 855 when the 865 answers the change), its other
        # lines keep what they shipped and billed, and it moves back by what is left to ship
        self._shipped = {(d.partner, d.po_number) for d in answering
                         if any(ln.shipped > 0 for ln in ctx.stored.get((d.partner, d.po_number), ()))}
        # changed lines of those that shipped, in part or in full, after their change was taken (the order held
        # for a person on the change meanwhile, the warehouse shipping what it had picked): decided, their answer
        # says so, but they keep what they shipped and billed; only the rest was allocated (the shipped units
        # placed by rows of their own, no warehouse: engine.kept_stock.shipped_demand), so they reserve only that.
        # They used to be decided from scratch: their shipped units forgotten, allocated again, their shipment
        # never billed
        self._went = {(d.partner, d.po_number, ln.line_number): ln for d in answering
                      if (d.partner, d.po_number) in self._shipped
                      for ln in ctx.stored.get((d.partner, d.po_number), ())
                      if ln.line_number in set(ctx.records[(d.partner, d.po_number)].changed_lines)
                      and ln.state not in GONE and ln.shipped > 0}
        self._told = {}
        self._keys = [f"{ctx.profiles[d.partner].order_answer}:{d.po_number}:{r.lines_key}:{d.order_ref}"
                      + _again(r) for d, r in zip(answering, records, strict=True)]  # 855:... (or 870:... for its
        # partners)
        decided, spans = line_decisions_spans(answering)
        _no_line_twice(decided)
        keys = [(d.partner, d.po_number) for d in answering]
        rows = self._lines(decided)
        counts = np.asarray([b - a for a, b in spans], dtype=np.int64)
        rejected_by_rules = np.repeat(np.asarray([d.status == REJECTED for d in answering], dtype=bool), counts)
        at, requested = ctx.head_at, ctx.ship_dates
        ships = [self._ship(requested[at[k]]) for k in keys]
        ship = pa.array(ships, pa.date32()).take(pa.array(np.repeat(np.arange(len(ships)), counts))) \
            if len(decided) else pa.array([], pa.date32())
        ship = self._own_ship_days(rows, ship, keys, counts)
        self._line_ships = ship  # each decided line's ship day (the 855 heading's DTM 068: _heading_ship_day)
        allocation = self._allocation(keys)
        statuses = status_table(decided, rejected_by_rules, ship, allocation, self._ship_complete(keys, counts))
        objects: dict[int, list[LineStatus]] = {}  # orders that need their statuses as objects
        statuses = self._revise(answering, statuses, spans, objects)
        all_ir = _all_ir(statuses, spans)
        rejected = [(d.partner, d.po_number) not in self._shipped and (d.status == REJECTED or bool(all_ir[i]))
                    for i, d in enumerate(answering)]
        self._packs = packs = _per_each_packs(rows, decided)  # before the 855's bases: the buyer's
        rows = _stated_bases(rows, decided, statuses, packs)
        self._left_out: list[FindingRecord] = []  # echoed values the partner's version cannot hold (refs_too_long)
        self._unsent: dict[int, str] = {}  # answering orders whose 855 cannot be written (head_unfit): why
        kinds, documents = self._855s(answering, decided, statuses, rows, spans, rejected, objects)
        self._answer = (statuses, rows, spans)  # what a CSV acknowledgment reads, order by order
        values = order_values(statuses, rows["unit_price"], decided["unit_price"], spans, rows)
        units = self._units(allocation, decided)
        line_tables, reservation_tables, per_order = (), (), Plan()
        # each order's transition, and the 865s, CSV acknowledgments and answered changes of those that
        # get them, in decision order (gathered here: no Plan per order to combine afterwards); an order
        # answered by its 855 alone (no change to answer, no CSV acknowledgment) is moved as columns
        transitions: list[tuple[int, OrderTransition]] = []
        plain: list[int] = []  # positions (in self.decisions) of the orders moved as columns
        plain_at: list[int] = []  # and in answering
        sent: list[PlannedDocument] = []
        answered: list[ChangeUpdate] = []
        i = -1  # position in answering (the decisions not held, in order)
        told = self._held_csv_acks()  # a CSV partner's held orders: told held in the night's acknowledgment
        for at, d in enumerate(self.decisions):
            if d.status == PENDING:
                record = ctx.records[(d.partner, d.po_number)]
                doc = told.get(at)
                if doc is not None:
                    sent.append(doc)
                transitions.append((at, move(record, EventKind.HELD, at=ctx.at, run_id=ctx.run_id,
                                             note="held: " + join_reasons(d.reasons)[:500]
                                             + ("; CSV IH sent (held for review)" if doc is not None else ""),
                                             hold_codes=d.held_for or tuple(d.codes),
                                             hold_reasons=tuple(d.reasons), codes=tuple(d.codes))))
                continue
            i += 1
            record = records[i]
            if self._plain(d, record, rejected[i]):
                plain.append(at)
                plain_at.append(i)
                continue
            transitions.append((at, self._conclude(d, record, i, rejected[i], kinds.get(i), values[i], units,
                                                   objects, sent, answered)))
        moved = _in_order(self._plain_moves(plain, plain_at, rejected, kinds, values, units),
                          decided_orders([t for _, t in transitions], [at for at, _ in transitions]))
        if answering:
            lines_table = self._line_rows(answering, decided, statuses, rows, spans)
            if self._shipped:
                lines_table = self._shipped_rows(answering, lines_table)
            if self._told:
                lines_table = self._told_rows(lines_table)
            reserved = self._reservation_rows(answering, allocation, rejected)
            # orders an 860 revised this run already have line and reservation rows earlier in the run's
            # plan: theirs follow as per-order rows (the store applies those in plan order), the rest as tables
            revised = [(d.partner, d.po_number) for i, d in enumerate(answering) if i in objects]
            per_order = _per_order(revised, lines_table, reserved)
            line_tables = (_without(lines_table, revised),)
            reservation_tables = (ReservationTable(_without(reserved.keys, revised), _without(reserved.rows, revised)),)
        return Plan(decided=(moved,), documents=tuple(sent), change_updates=tuple(answered)) + \
            per_order + Plan(line_tables=line_tables, reservation_tables=reservation_tables, documents=tuple(documents),
                             findings=tuple(self._left_out))

    # --- inputs ---------------------------------------------------------------------------------------
    def _ship(self, requested: date | None) -> date:
        return requested if requested and requested >= self.ctx.today else self.ctx.today

    def _own_ship_days(self, rows: pa.Table, ship: pa.Array, keys: list[Key], counts: np.ndarray) -> pa.Array:
        """``ship`` (each decided line's order's ship day) with a line's own where it has a requested ship date or
        a ship window's opening of its own (ORDER_LINES requested_ship_date: its 850 PO1 loop's DTM 010 or 118, or
        an 860 POC loop's DTM 010; ship_not_before: its PO1 or POC loop's DTM 037): its ship date (else its
        order's DTM 010), never before its window opens (else its order's DTM 037), today at the earliest, as the
        order's is (_ship_from): the day its ACK 068 says it ships, in the 855 and in the 865 answering the
        change. So does a line's own delivery window (do_not_deliver_before: its PO1 loop's DTM 064) for a partner
        whose transit time is known, with no requested ship date (its own nor its order's): it ships the opening
        less the days in transit (engine.answer.first_ship_day, as its order's 064 does), and so does a line's own
        delivery date (requested_delivery_date: its DTM 002) without a window (its own nor its order's: the
        window's opening comes first, as for the order). (``keys``, ``counts``: each decided order and its number
        of lines, as ``ship`` is spread.)"""
        mine = [c for c in LINE_SHIP_DAYS if c in rows.column_names and rows[c].null_count < rows.num_rows]
        transit = [self.ctx.profiles[p].fulfilment.asn.transit for p, _po in keys]
        before, on = LINE_DATES["064"], "requested_delivery_date"
        arrivals = [c for c in (before, on) if c in rows.column_names and rows[c].null_count < rows.num_rows
                    and any(t is not None for t in transit)]
        if not mine and not arrivals:
            return ship
        spread = pa.array(np.repeat(np.arange(len(keys)), counts))
        at = [self.ctx.head_at[k] for k in keys]
        own = {c: rows[c].combine_chunks() if isinstance(rows[c], pa.ChunkedArray) else rows[c]
               for c in (*mine, *arrivals)}
        days = []
        for c in LINE_SHIP_DAYS:
            heads = self.ctx.head_columns[c] if c in self.ctx.head_columns else self.ctx.head_column(c)
            order = pa.array([heads[i] for i in at], pa.date32()).take(spread)
            days.append(pc.coalesce(own[c], order) if c in own else order)
        if any(t is not None for t in transit):  # the day to arrive (window's opening, date asked) less the transit
            def head(c: str) -> pa.Array:
                heads = self.ctx.head_column(c)
                return pa.array([heads[i] for i in at], pa.date32()).take(spread)

            arrive = (pc.coalesce(own[c], head(c)) if c in own else head(c) for c in (before, on))
            opening = pc.max_element_wise(*arrive, skip_nulls=True)  # the date asked, never before the window opens
            leaves = _less_transit(opening, [transit[i] for i in spread.to_pylist()])
            days.append(pc.if_else(pc.is_null(days[0]), leaves, pa.scalar(None, pa.date32())))  # no DTM 010 asked
        later = pc.max_element_wise(*days, pa.scalar(self.ctx.today, pa.date32()), skip_nulls=True)
        has_own = pc.or_(*(pc.is_valid(v) for v in own.values())) if len(own) > 1 else pc.is_valid(
            next(iter(own.values())))
        return pc.if_else(has_own, later, ship)

    def _heading_ship_day(self, row: int, rows: pa.Table, span: tuple[int, int]) -> date:
        """The day an 855 heading's DTM 068 says the PO's lines ship (PoAckSettings.ship_date): its ship day
        (_ship_from: its DTM 010, never before its window opens, today at the earliest); for a PO whose lines
        carry windows of their own (ORDER_LINES ship_not_before) and that has none (lines scheduled apart:
        parsers.orders_850.common_line_dates finds none alike), the earliest of its lines' ship days, as their
        ACK 068s say (the heading used to say the order's day, before any line's window opened). ``span``:
        its decided lines' rows of ``rows``."""
        day = self._ship(self.ctx.ship_dates[row])
        if "ship_not_before" not in rows.column_names or self.ctx.head_column("ship_not_before")[row] is not None:
            return day
        start, stop = span
        if stop <= start or rows["ship_not_before"].slice(start, stop - start).null_count == stop - start:
            return day
        return pc.min(self._line_ships.slice(start, stop - start)).as_py() or day

    def _completes(self, key: Key) -> bool:
        """The order ships complete: its CSH01 (SHIP_COMPLETE) or its partner's ship_complete policy."""
        ctx = self.ctx
        return ctx.profiles[key[0]].allocation.ship_complete or \
            ctx.head_column("sales_requirement")[ctx.head_at[key]] in SHIP_COMPLETE

    def _ship_complete(self, keys: list[Key], counts: np.ndarray) -> np.ndarray | None:
        """Per decided line: its order's CSH01 asks it to ship complete (SHIP_COMPLETE); None when no
        order of the batch does (or the orders table predates the column)."""
        orders = self.ctx._orders
        if "sales_requirement" not in orders.column_names or not len(keys):
            return None
        wanted = pc.is_in(orders["sales_requirement"], value_set=pa.array(SHIP_COMPLETE))
        if not pc.any(wanted).as_py():
            return None
        at = self.ctx.head_at
        per_order = np.asarray(pc.fill_null(pc.take(wanted, pa.array([at[k] for k in keys], pa.int64())), False)
                               .to_numpy(zero_copy_only=False), dtype=bool)
        return np.repeat(per_order, counts)

    def _lines(self, decided: pa.Table) -> pa.Table:
        """The item-resolved line row of every decided line, aligned with ``decided`` (whose lines are
        distinct: _no_line_twice)."""
        lines, index, k = self.ctx.lines, self.ctx.line_index, ["partner", "po_number", "line_number"]
        columns = lines.select([c for c in _LINE_COLUMNS if c in lines.column_names])
        if "price_sent" in lines.column_names and "unit_price" in columns.column_names:
            # a price sent past 4 decimals (to PRICE_PLACES: 0.00418) is the line's price: answered, kept, valued
            exact = exact_prices(columns["unit_price"], lines["price_sent"])
            if exact is not columns["unit_price"]:
                columns = columns.set_column(columns.schema.get_field_index("unit_price"), "unit_price", exact)
        if same_rows([decided[c] for c in k], [index[c] for c in k]):
            return columns  # the lines are the decided lines, in their order (a run answering every order)
        want = pa.table({"partner": decided["partner"], "po_number": decided["po_number"],
                         "line_number": decided["line_number"], "_d": pa.array(np.arange(decided.num_rows))})
        got = want.join(index, k, join_type="inner", use_threads=False).sort_by("_d")
        if got.num_rows != decided.num_rows:
            raise PlanError("a decided line has no line row (or several)")
        return columns.take(got["_l"])

    def _allocation(self, keys: list[Key]) -> pa.Table | None:
        a = self.ctx.allocation
        if a is None or a.num_rows == 0:
            return a
        if len(keys) == len(self.ctx.head_at):
            return a
        refs = pa.array([f"{p}|{po}" for p, po in keys], pa.string())
        return a.filter(pc.is_in(a["order_ref"], value_set=refs))

    def _units(self, allocation: pa.Table | None, decided: pa.Table | None = None
               ) -> dict[str, tuple[int, ...]]:
        """Per order_ref: units allocated, backordered, not placeable (whole units per row: the stock's, eaches) and
        lines; where the lines' own units say other figures, those three in them after (``decided``'s unit_eaches:
        4 PK of 6 is 4, as the lines table says it; a row whose eaches are no whole number of its unit counts its
        eaches)."""
        if allocation is None or allocation.num_rows == 0:
            return {}
        # units a changed line shipped while its order was held (engine.kept_stock.shipped_rows) are not allocated
        # now: the note counts what this run placed and reserved
        went = pc.fill_null(pc.ends_with(allocation["reason"], f" {SHIPPED_WHILE_HELD}"), False) \
            if "reason" in allocation.column_names else None
        if went is not None and pc.any(went).as_py():
            allocation = allocation.filter(pc.invert(went))
            if allocation.num_rows == 0:
                return {}
        t = pa.table({"order_ref": allocation["order_ref"], "line_number": allocation["line_number"],
                      **{c: truncated(allocation[c]) for c in ("allocated", "backordered", "rejected")}})
        # rows in strictly ascending (order_ref, line_number) order (a night's: one row per line, in decision
        # and line order) are each a line of their own: counted, not counted distinct (a third of the cost)
        lines = "count" if in_key_order(t, ["order_ref", "line_number"], strict=True) else "count_distinct"
        t = _in_own_units(t, decided)
        g = t.group_by("order_ref", use_threads=False).aggregate(
            [("allocated", "sum"), ("backordered", "sum"), ("rejected", "sum"), ("line_number", lines),
             ("own_allocated", "sum"), ("own_backordered", "sum"), ("own_rejected", "sum")])
        return {r: tuple(v) if v[4:] != v[:3] else tuple(v[:4]) for r, *v in zip(*(g[c].to_pylist() for c in (
            "order_ref", "allocated_sum", "backordered_sum", "rejected_sum", f"line_number_{lines}",
            "own_allocated_sum", "own_backordered_sum", "own_rejected_sum")), strict=True)}

    # --- orders answered before (an 860's revision): untouched lines keep what the partner was told ---
    def _revise(self, answering: list[OrderDecision], statuses: pa.Table, spans: list[tuple[int, int]],
                objects: dict[int, list[LineStatus]]) -> pa.Table:
        ctx = self.ctx
        pieces, last, changed_any = [], 0, False
        revised = self._revised
        for i, d in enumerate(answering):
            key = (d.partner, d.po_number)
            if not (revised[i] or ctx.applied.get(key)):
                continue
            record = self._records[i]
            start, stop = spans[i]
            fresh = statuses_of(statuses.slice(start, stop - start))
            if record.is_revision and (d.status != REJECTED or key in self._shipped):
                kept = {ln.line_number: ln for ln in ctx.stored.get(key, ()) if ln.state not in GONE}
                changed = set(record.changed_lines)
                ship = max(ctx.ship_dates[ctx.head_at[key]] or ctx.today, ctx.today)
                # an untouched line keeps the day it was told: its own (its DTM 010 / 037, or 002 / 064 less the
                # transit: _own_ship_days, self._line_ships, as this decision dates each line), else the order's; it
                # used to be restated on the order's day, the lines scheduled apart said to ship with the rest
                days = self._line_ships.slice(start, stop - start).to_pylist()
                fresh = [s if s.line_number in changed or s.line_number not in kept
                         else status_from_line(kept[s.line_number], s.ordered, day or ship)
                         for s, day in zip(fresh, days, strict=True)]
                # one day for the whole order, the lines it kept included (not once part of it shipped: what
                # left keeps the answer it had)
                if key not in self._shipped and self._completes(key):
                    fresh = one_day(fresh, ship)
                pieces += [statuses.slice(last, start - last),
                           pa.Table.from_pylist(status_rows(d.partner, d.po_number, fresh), schema=LINE_STATUS)]
                last, changed_any = stop, True
            objects[i] = fresh
        if not changed_any:
            return statuses
        pieces.append(statuses.slice(last))
        return pa.concat_tables(pieces)

    # --- documents ------------------------------------------------------------------------------------
    def _855s(self, answering: list[OrderDecision], decided: pa.Table, statuses: pa.Table, rows: pa.Table,
              spans: list[tuple[int, int]], rejected: list[bool], objects: dict[int, list[LineStatus]]
              ) -> tuple[dict[int, str], list[PlannedDocument]]:
        """The 855 of every order that gets one: BAK02 by order position, and the documents, packed
        per the partner's delivery.batch and rendered over columns with the first delimiter set none
        of an interchange's values uses (an 855 no set fits stays as segments: the store holds it)."""
        ctx = self.ctx
        wanted: dict[str, list[int]] = {}
        revised = self._revised
        for i, d in enumerate(answering):
            p = ctx.profiles[d.partner]
            if p.order_answer not in p.receives or ((d.partner, d.po_number) in self._shipped and "865" in p.receives):
                continue
            if not revised[i] or (p.change_ack == "855" and p.change_answer == "always") or rejected[i] or \
                    self._surprise(d, self._records[i], objects.get(i, ()), _asked(decided, rows, spans[i])):
                wanted.setdefault(d.partner, []).append(i)
        kinds: dict[int, str] = {}
        documents: list[tuple[int, PlannedDocument]] = []
        for partner, picked in wanted.items():
            profile, env = ctx.profiles[partner], envelope_for(ctx.profiles[partner])
            if profile.order_answer == "870":  # the partner's guide asks for an order status report instead
                documents += self._870s(answering, rows, statuses, spans, picked, kinds)
                continue
            releases = ctx.head_columns["release_number"]
            unfit = {picked[j]: why for j, why in heads_unfit(
                "855", [answering[i].po_number for i in picked],
                [releases[ctx.head_at[(partner, answering[i].po_number)]] for i in picked], profile).items()}
            if unfit:  # an 855 whose BAK03/BAK05 cannot hold the PO's ids: none is sent (never cut, never invalid)
                self._unsent.update({i: why for i, (_element, why) in unfit.items()})
                self._left_out += _at_po([not_sent("855", profile, answering[i].po_number, why,
                                                   what="the order is decided and allocated as any")
                                          for i, why in unfit.items()], ctx, partner)
                picked = [i for i in picked if i not in unfit]
                if not picked:
                    continue
            sub_rows, sub_statuses, sub_spans = _subset(rows, statuses, spans, picked)
            # a line taken in by weight (480 LB as 10 cases) is answered in the weight the buyer sent
            sub_rows, sub_statuses = as_sent_by_weight(sub_rows, sub_statuses)
            at, po_dates, releases = ctx.head_at, ctx.po_dates, ctx.head_columns["release_number"]
            heads = [{"po_number": po, "po_date": po_dates[at[(partner, po)]], "purpose": "05" if revised[i] else "00",
                      "release_number": releases[at[(partner, po)]]}
                     for i, po in ((i, answering[i].po_number) for i in picked)]
            settings = profile.acks.po_ack
            if settings != PLAIN:  # the PO's heading values the partner's 855 echoes (HEAD_KEYS)
                more = {k: ctx.head_column(k) for k in HEAD_KEYS if k != "ship_date"}
                for h, i in zip(heads, picked, strict=True):
                    row = at[(partner, h["po_number"])]
                    h.update({k: column[row] for k, column in more.items()},
                             ship_date=self._heading_ship_day(row, rows, spans[i]))
                self._left_out += _at_po(refs_too_long(heads, settings, profile), ctx, partner)
            if settings.allowances == "agreed":  # the allowances a deal pre-approved, as SACs (heading, lines)
                sub_rows = self._agreed_sacs(partner, heads, sub_rows, sub_spans)
            if settings.line_refs and sub_rows.num_rows:  # the lines' own REFs the 855 echoes: the same limit
                sub_rows, left_out = line_refs_too_long(sub_rows, sub_spans, heads, settings, profile)
                self._left_out += _at_po(left_out, ctx, partner)
            values = element_values(sub_rows, sub_statuses, sub_spans, settings.product_qualifiers,
                                    settings.line_refs) if sub_rows.num_rows else None
            used = delimiter_use(heads, sub_rows, sub_statuses, sub_spans, delimiter_chars(env.candidates),
                                 values=values, settings=settings)
            groups = group(used, env, profile.delivery.limit)
            by_set: dict[Delimiters, list[int]] = {}
            for members, d in groups:
                if d is not None:
                    by_set.setdefault(d, []).extend(members)
            texts: dict[int, tuple[str, int, str]] = {}
            for d, members in by_set.items():
                every = len(members) == len(heads)  # members are distinct and in order: all of them, as computed
                bodies = render_855s([heads[m] for m in members], *_subset(sub_rows, sub_statuses, sub_spans, members),
                                     today=ctx.today, d=d, settings=settings, **({"values": values} if every else {}))
                texts.update(zip(members, bodies, strict=True))
            for members, d in groups:
                sets = []
                for m in members:
                    i = picked[m]
                    if d is None:  # as segments: the store holds it until a delimiter set fits
                        body = self._segments(heads[m], sub_rows, sub_statuses, sub_spans[m], settings)
                        kinds[i] = body[0][2]
                        sets.append(self._855_set(answering[i], i, body=tuple(tuple(seg) for seg in body)))
                    else:
                        text, count, kinds[i] = texts[m]
                        sets.append(self._855_set(answering[i], i, text=text, segments=count))
                documents.append((picked[members[0]], PlannedDocument(partner, "855", "PR", tuple(sets),
                                                                      delimiters=d)))
        return kinds, [doc for _, doc in sorted(documents, key=lambda x: x[0])]

    def _agreed_sacs(self, partner: str, heads: list[dict], rows: pa.Table, spans: list[tuple[int, int]]
                     ) -> pa.Table:
        """Each PO's agreed allowances on its 855 (engine.po_ack.agreed_sacs_855): the heading's in its head
        (agreed_sacs), the lines' as the rows' SAC_LIST column (only when some line has one)."""
        agreed = self.ctx.agreed
        per_line: list[list[list[str]]] = [[] for _ in range(rows.num_rows)]
        numbers = rows["line_number"].to_pylist() if rows.num_rows else []
        ids = rows["line_id"].to_pylist() if rows.num_rows else []
        for h, (start, stop) in zip(heads, spans, strict=True):
            mine = agreed.get((partner, h["po_number"]))
            if not mine:
                continue
            h["agreed_sacs"], by_number, by_id = agreed_sacs_855(mine)
            for r in range(start, stop):
                per_line[r] = by_number.get(numbers[r], []) + by_id.get(ids[r], [])
        if not any(per_line):
            return rows
        column = pa.array(per_line, pa.list_(pa.list_(pa.string())))
        if SAC_LIST in rows.column_names:
            return rows.set_column(rows.column_names.index(SAC_LIST), SAC_LIST, column)
        return rows.append_column(SAC_LIST, column)

    def _870s(self, answering: list[OrderDecision], rows: pa.Table, statuses: pa.Table,
              spans: list[tuple[int, int]], picked: list[int], kinds: dict[int, str]
              ) -> list[tuple[int, PlannedDocument]]:
        """The 870 (engine.order_status) of each picked order of a partner answered by order status reports: the
        same line statuses an 855 would carry, one set per document (as an 865), its segments rendered by the
        store with the partner's delimiters; ``kinds`` gets the BAK02 its 855 would have said (the order's
        history and status name the 870 as the answer sent)."""
        ctx, out = self.ctx, []
        agreed = ctx.profiles[answering[picked[0]].partner].acks.po_ack.allowances == "agreed" if picked else False
        for i in picked:
            d = answering[i]
            start, stop = spans[i]
            at = ctx.head_at[(d.partner, d.po_number)]
            head = {"po_number": d.po_number, "po_date": ctx.po_dates[at],
                    "release_number": ctx.head_columns["release_number"][at]}
            acks = [s.ack for s in statuses_of(statuses.slice(start, stop - start))]
            line_rows = rows.slice(start, stop - start).to_pylist()
            if agreed and (mine := ctx.agreed.get((d.partner, d.po_number))):  # the lines' agreed allowances
                _heading, by_number, by_id = agreed_sacs_855(mine)  # (the 870 has no heading SAC)
                line_rows = [{**r, SAC_LIST: by_number.get(r["line_number"], []) + by_id.get(r["line_id"], [])}
                             for r in line_rows]
            body = build_870(head, line_rows, acks, today=ctx.today)
            kinds[i] = ack_type([st for a in acks for st in a.statuses()])
            out.append((i, PlannedDocument(d.partner, "870", "RS",
                                           (self._855_set(d, i, body=tuple(tuple(seg) for seg in body)),))))
        return out

    def _855_set(self, d: OrderDecision, i: int, **body) -> PlannedSet:
        """The 855 set of answering order ``i`` (``d``)."""
        return PlannedSet(self._keys[i], po_number=d.po_number,
                          source_sha256=self.ctx.shas[self.ctx.head_at[(d.partner, d.po_number)]] or "", **body)

    def _segments(self, head: dict, rows: pa.Table, statuses: pa.Table, span: tuple[int, int],
                  settings: PoAckSettings = PLAIN) -> list:
        """One 855 as segments (build_855), for a document no delimiter set fits."""
        start, stop = span
        return statuses_855(head, rows.slice(start, stop - start).to_pylist(),
                            statuses_of(statuses.slice(start, stop - start)), today=self.ctx.today, settings=settings)

    def _surprise(self, d: OrderDecision, record: OrderRecord, statuses: Sequence[LineStatus],
                  asked: Mapping[int, Decimal | None] | None = None) -> bool:
        """A revised order (not rejected) whose changed lines tell the partner something new gets a
        revised 855. ``asked``: each line's PO104 as the partner states it now."""
        key = (d.partner, d.po_number)
        told = {ln.line_number: ln for ln in self.ctx.told.get(key, self.ctx.stored.get(key, ()))
                if ln.state not in GONE}
        changed = set(record.changed_lines)
        asked = asked or {}
        return any(tells_something_new(s, told.get(s.line_number), asked.get(s.line_number)) for s in statuses
                   if s.line_number in changed)

    def _conclude(self, d: OrderDecision, record: OrderRecord, i: int, rejected: bool, kind: str | None,
                  value: Decimal, units: dict, objects, sent: list[PlannedDocument],
                  answered: list[ChangeUpdate]) -> OrderTransition:
        """The order's transition; its 865s and CSV acknowledgment appended to ``sent``, the changes it
        answers to ``answered``."""
        ctx = self.ctx
        key = (d.partner, d.po_number)
        p = ctx.profiles[d.partner]
        docs: list[PlannedDocument] = []
        said: list[tuple[str, str]] = []
        applied = ctx.applied.get(key, [])
        shipped = key in self._shipped
        unanswered: list[str] = []  # the changes (files) asking for no answer (BCH01 49): no 865 for them
        if "865" in p.receives and (p.change_ack == "865" or shipped):
            for a in applied:
                if not answer_wanted(a.header):  # BCH01 49: the buyer asked for no answer to the change
                    unanswered.append(a.change.source_file)
                    continue
                if unfit := change_unfit(a.header, p):  # BCA cannot carry the PO's ids: no 865 (never invalid)
                    self._left_out.append(not_sent("865", p, d.po_number, unfit, row=a.header,
                                                   what="the change is applied as any"))
                    continue
                result = final_change_result(a.result, objects[i], order_rejected=rejected,
                                             in_part=self._in_part(key, objects[i]))
                # what the 865 tells each changed line: its stored ACK (_went_row, _told_rows)
                self._told.update({(*key, r.line_number): r.status for r in result.line_results
                                   if r.line_number is not None})
                # the 860's allowances a deal agreed, for a partner whose answers state them ([acks.po_ack])
                sacs = change_sacs_865(ctx.agreed.get(key), a.change.store_key, a.change.change_ref) \
                    if p.acks.po_ack.allowances == "agreed" else None
                docs.append(transaction_set("865", "CA", a.doc_key,
                                            build_865(a.header, result, today=ctx.today, sacs=sacs),
                                            partner=d.partner, po_number=d.po_number,
                                            source_sha256=a.change.store_key))
                said.append(("865", change_ack_type(result)))
        if kind is not None:
            said.append((p.order_answer, kind))
        if "csv_ack" in p.receives and (not record.is_revision or rejected):
            doc, bak = self._csv_ack(d, record, i, objects)
            docs.append(doc)
            said.append(("CSV", bak))
        keys = [s.doc_key for doc in docs for s in doc.sets] + ([self._keys[i]] if kind is not None else [])
        if len(keys) != len(set(keys)):
            raise PlanError("a document key is planned twice")
        ack_type = said[-1][1] if said else ""
        steps = []
        mine = units.get(f"{d.partner}|{d.po_number}")
        if not rejected and mine:
            steps.append((EventKind.ALLOCATED, "system", allocated_note(mine), ""))
        note = "; ".join(f"{kind} {bak}" for kind, bak in said) or (
            f"no 855 sent: {self._unsent[i]}" if i in self._unsent else "nothing sent (the profile receives no answer)")
        if unanswered:
            note += f"; 865 not sent for the change in {', '.join(unanswered)}: " + NO_RESPONSE_NOTE.split(": ", 1)[1]
        if d.reasons:
            note += f"; {d.reasons[0]}"
        final_event = self._after_shipment(key, record, objects[i]) if shipped else \
            EventKind.REJECTED if rejected else EventKind.ACKNOWLEDGED
        steps.append((final_event, d.decided_by or "system", note, keys[0] if keys else ""))
        if shipped and ALLOWANCE_AFTER_SHIPMENT_HELD in record.hold_codes and \
                next_state(OrderState.CHANGED, final_event) in BILLABLE:
            # held for an allowance an 860 added after shipment (engine.lifecycle.allowance_hold) that a further 860
            # changed lines of: held again, its code and reason kept (it used to go back to shipping, its next 810
            # taking the allowance off unapproved); one whose 860 withdrew the allowance comes without the code
            steps.append((EventKind.ALLOWANCE_HELD, "system", "still held for the allowance after the change: "
                          + join_reasons(record.hold_reasons), ""))
        final = moves(record, steps, at=ctx.at, run_id=ctx.run_id, ack_type=ack_type,
                      answered_with="+".join(kind for kind, _ in said), answered_revision=record.revision,
                      codes=tuple(d.codes), changed_lines=(), value=Decimal(0) if rejected else value)
        sent += docs
        answered += [ChangeUpdate(a.change.id, "answered") for a in applied]
        return final

    def _after_shipment(self, key: Key, record: OrderRecord, statuses: Sequence[LineStatus]) -> EventKind:
        """An order that shipped, its added lines decided: the event that moves it by what is left (units to
        ship: change_reopened; none: change_completed; none and every shipped unit billed: change_settled)."""
        stored = {ln.line_number: ln for ln in self.ctx.stored.get(key, ())}
        changed = set(record.changed_lines)
        left, billed = False, True
        for s in statuses:
            ln = stored.get(s.line_number)
            went = self._went.get((*key, s.line_number))
            if went is not None:  # a changed line that shipped while held: what it is promised beyond that
                left = left or s.allocated + s.backordered > went.shipped
                billed = billed and went.invoiced >= went.shipped
            elif s.line_number in changed or ln is None:
                left = left or s.allocated + s.backordered > 0
            elif ln.state not in ENDED_LINES:
                left = left or ln.promised > ln.shipped
                billed = billed and ln.invoiced >= ln.shipped
        to = OrderState.PARTIALLY_SHIPPED if left else OrderState.INVOICED if billed else OrderState.SHIPPED
        return _AFTER_SHIPMENT[to]

    def _in_part(self, key: tuple[str, str], statuses: list[LineStatus]) -> frozenset[int]:
        """The changed lines of order ``key`` that shipped some units (self._went) and have more to ship (their
        quantity decided now above what shipped): final_change_result dates the rest in the 865."""
        if not self._went:
            return frozenset()
        ordered = {s.line_number: s.ordered for s in statuses}
        return frozenset(n for (partner, po, n), ln in self._went.items() if (partner, po) == key
                         and ordered.get(n) is not None and ordered[n] > ln.shipped)

    def _shipped_rows(self, answering: list[OrderDecision], table: pa.Table) -> pa.Table:
        """The line rows of orders that shipped: the lines their 860 did not add keep their stored record
        (shipped, invoiced, state), only the added lines take the decision's row. A changed line that shipped
        while its order was held (self._went) takes the decision's row (its ACK, price, units placed) with what it
        shipped and billed, and its state by them (_went_row)."""
        ctx, keep, rows = self.ctx, set(), []
        for d in answering:
            key = (d.partner, d.po_number)
            if key not in self._shipped:
                continue
            changed = set(ctx.records[key].changed_lines)
            for ln in ctx.stored.get(key, ()):
                if ln.line_number not in changed and ln.state not in GONE:
                    keep.add((d.partner, d.po_number, ln.line_number))
                    rows.append(line_row(ln))
        keys = list(zip(table["partner"].to_pylist(), table["po_number"].to_pylist(),
                        table["line_number"].to_pylist(), strict=True))
        if self._went:
            for k, row in zip(keys, table.to_pylist(), strict=True):
                went = self._went.get(k)
                if went is not None and k not in keep:
                    keep.add(k)
                    rows.append(_went_row(row, went, self._told.get(k)))
        if not keep:
            return table
        mask = [k not in keep for k in keys]
        return pa.concat_tables([table.filter(pa.array(mask, pa.bool_())),
                                 pa.Table.from_pylist(rows, schema=LINE_ROWS)])

    def _told_rows(self, table: pa.Table) -> pa.Table:
        """The line rows with each changed line an 865 answered (self._told, _conclude) storing the ACK the 865 gave
        it where the decision's was one status for the whole line: IQ for a quantity changed as asked, IP for a
        price, DR for a date past. A line whose decision has parts (BP+IB: each quantity's status, restated by a
        later 855) keeps them; so does one the 865 refuses or deletes (IR, ID: the line stays as it was, or is
        gone), and one the 865 accepts as asked (IA) whose decision says more of the line (IQ 12 for 10 ordered,
        the case pack's rounding). A line that shipped while held took it already (_went_row). Such lines used
        to store the decision's ACK: `orderbridge status` said IA where the 865 had said IQ."""
        keys = list(zip(table["partner"].to_pylist(), table["po_number"].to_pylist(),
                        table["line_number"].to_pylist(), strict=True))
        acks = table["ack"].to_pylist()
        new = [self._told.get(k) if k not in self._went
               and self._told.get(k) not in (None, POC_ACCEPTED, POC_REJECTED, DELETED)
               and ack and "+" not in ack else ack for k, ack in zip(keys, acks, strict=True)]
        if new == acks:
            return table
        return table.set_column(table.schema.get_field_index("ack"), "ack",
                                pa.array(new, table.schema.field("ack").type))

    def _plain(self, d: OrderDecision, record: OrderRecord, rejected: bool) -> bool:
        """The order is answered by its 855 alone (or by nothing): no 860 to answer, no CSV acknowledgment."""
        p = self.ctx.profiles[d.partner]
        if (d.partner, d.po_number) in self._shipped:
            return False
        return not self.ctx.applied.get((d.partner, d.po_number)) and not (
            "csv_ack" in p.receives and (not record.is_revision or rejected))

    def _plain_moves(self, plain: list[int], idx: list[int], rejected: list[bool], kinds: dict[int, str],
                     values: list[Decimal], units: dict) -> DecidedOrders:
        """What _conclude's transitions of the ``plain`` orders (positions in self.decisions; ``idx``: theirs
        among the answering orders) store, as columns: each order allocated (when the allocation placed or
        backordered units of it, and it is not rejected) then acknowledged or rejected; the rows carry their
        position (``_at``)."""
        ctx = self.ctx
        ds = [self.decisions[at] for at in plain]
        records = [self._records[i] for i in idx]
        no = [rejected[i] for i in idx]
        said = [kinds.get(i) for i in idx]
        mine = [None if r else units.get(f"{d.partner}|{d.po_number}") for d, r in zip(ds, no, strict=True)]
        finals = [EventKind.REJECTED if r else EventKind.ACKNOWLEDGED for r in no]
        moved: dict[tuple[OrderState, bool, EventKind], tuple[OrderState, OrderState]] = {}
        for record, m, final in zip(records, mine, finals, strict=True):  # the table's check, per kind of move
            way = (record.state, bool(m), final)
            if way not in moved:
                middle = next_state(record.state, EventKind.ALLOCATED) if m else record.state
                if middle is None:
                    raise TransitionRefused(record, EventKind.ALLOCATED)
                to = next_state(middle, final)
                if to is None:
                    raise TransitionRefused(record if middle == record.state else record.evolve(state=middle), final)
                moved[way] = (middle, to)
        ways = [moved[(r.state, bool(m), f)] for r, m, f in zip(records, mine, finals, strict=True)]
        answers = [ctx.profiles[d.partner].order_answer for d in ds]
        notes = [(f"{a} {kind}" if kind is not None else f"no 855 sent: {self._unsent[i]}" if i in self._unsent
                  else "nothing sent (the profile receives no answer)")
                 + (f"; {d.reasons[0]}" if d.reasons else "") for d, kind, i, a in zip(ds, said, idx, answers,
                                                                                      strict=True)]
        n, text = len(ds), pa.string()
        orders = pa.table({
            "partner": [d.partner for d in ds], "po_number": [d.po_number for d in ds],
            "expect_state": [str.__str__(r.state) for r in records],
            "expect_revision": pa.array([r.revision for r in records], pa.int64()),
            "state": [str.__str__(w[1]) for w in ways], "updated_at": pa.repeat(pa.scalar(ctx.at, text), n),
            "run_id": pa.repeat(pa.scalar(ctx.run_id, text), n), "ack_type": [k or "" for k in said],
            "answered_with": [a if k is not None else "" for k, a in zip(said, answers, strict=True)],
            "answered_revision": pa.array([r.revision for r in records], pa.int64()),
            "value": [decimal_text(Decimal(0) if r else values[i]) for r, i in zip(no, idx, strict=True)],
            "codes": [list(d.codes) for d in ds], "changed_lines": pa.array([[]] * n, pa.list_(pa.int64())),
            "hold_codes": pa.nulls(n, pa.list_(pa.string())), "hold_reasons": pa.nulls(n, pa.list_(pa.string())),
            "_at": pa.array(plain, pa.int64())}, schema=_DECIDED_AT)
        # the events: an ALLOCATED one for the orders that have it, then each order's answer
        first = [j for j, m in enumerate(mine) if m]
        allocated = [allocated_note(mine[j]) for j in first]
        events = pa.concat_tables([_events(
            [ds[j] for j in first], [plain[j] for j in first], 0, when=ctx.at, run_id=ctx.run_id,
            event=[str.__str__(EventKind.ALLOCATED)] * len(first),
            from_state=[str.__str__(records[j].state) for j in first],
            to_state=[str.__str__(ways[j][0]) for j in first], revision=[records[j].revision for j in first],
            actor=["system"] * len(first), note=[a[:1000] for a in allocated], document_key=[""] * len(first)),
            _events(ds, plain, 1, when=ctx.at, run_id=ctx.run_id, event=[str.__str__(f) for f in finals],
                    from_state=[str.__str__(w[0]) for w in ways], to_state=[str.__str__(w[1]) for w in ways],
                    revision=[r.revision for r in records], actor=[d.decided_by or "system" for d in ds],
                    note=[x[:1000] for x in notes],
                    document_key=[self._keys[i] if k is not None else "" for i, k in zip(idx, said, strict=True)])])
        return DecidedOrders(orders, events)

    def _held_csv_acks(self) -> dict[int, PlannedDocument]:
        """Per held decision (its position in self.decisions) of a partner answered with the CSV acknowledgment,
        an order never answered before: the acknowledgment telling its lines held (engine.csv_ack.build_csv_held,
        under the key of its answer plus ":held"), so a partner without EDI (no 997 either) knows the order
        arrived; its final rows follow when a person decides (_csv_ack). An X12 partner's held order gets no 855
        until then, as before."""
        ctx = self.ctx
        held = [(at, d) for at, d in enumerate(self.decisions) if d.status == PENDING
                and "csv_ack" in ctx.profiles[d.partner].receives
                and not ctx.records[(d.partner, d.po_number)].is_revision]
        if not held:
            return {}
        decided, spans = line_decisions_spans([d for _at, d in held])
        rows = self._lines(decided)
        out = {}
        for (at, d), (start, stop) in zip(held, spans, strict=True):
            record, key = ctx.records[(d.partner, d.po_number)], (d.partner, d.po_number)
            head = ctx.head(key)
            layout = ctx.profiles[d.partner].fulfilment.csv_ack or CsvAckSettings()
            content = build_csv_held([(head, rows.slice(start, stop - start).to_pylist())], layout)
            out[at] = PlannedDocument(d.partner, "CSV", "", (PlannedSet(
                f"CSV:{d.po_number}:{record.lines_key}:{d.order_ref}:held", (), d.po_number,
                head["source_sha256"] or ""),), content=content)
        return out

    def _csv_ack(self, d: OrderDecision, record: OrderRecord, i: int, objects) -> tuple[PlannedDocument, str]:
        """The CSV acknowledgment of a CSV order partner (engine.csv_ack): the same line decisions the
        855 would carry, one row per line, in the partner's layout; and the BAK02 an 855 would say."""
        ctx, key = self.ctx, (d.partner, d.po_number)
        statuses, rows, spans = self._answer
        start, stop = spans[i]
        line_rows = rows.slice(start, stop - start).to_pylist()
        mine = objects.get(i) or statuses_of(statuses.slice(start, stop - start))
        acks = [s.ack for s in mine]
        head = ctx.head(key)
        layout = ctx.profiles[d.partner].fulfilment.csv_ack or CsvAckSettings()
        why = join_reasons(d.reasons)  # a rejected order's lines say why, not only "order rejected"
        content = build_csv_ack([(head, line_rows, acks)], layout, reasons={
            (d.po_number, s.line_number): f"{s.reason}: {why}" if s.reason == "order rejected" and why else s.reason
            for s in mine if s.reason}, agreed={d.po_number: ctx.agreed.get(key, ())})
        bak = build_855(head, line_rows, acks, today=ctx.today)[0][2]
        doc = PlannedDocument(d.partner, "CSV", "", (PlannedSet(f"CSV:{d.po_number}:{record.lines_key}:{d.order_ref}",
                                                                (), d.po_number, head["source_sha256"] or ""),),
                              content=content)
        return doc, bak

    # --- lines and reservations, columnar --------------------------------------------------------------
    def _line_rows(self, answering: list[OrderDecision], decided: pa.Table, statuses: pa.Table, rows: pa.Table,
                   spans: list[tuple[int, int]]) -> pa.Table:
        ctx = self.ctx
        counts = [b - a for a, b in spans]
        revision = np.repeat(np.asarray([r.revision for r in self._records], dtype=np.int32), counts)
        n = statuses.num_rows
        fractions, overs = _fractions(statuses)
        table = pa.table({
            "partner": statuses["partner"], "po_number": statuses["po_number"], "line_number": statuses["line_number"],
            "line_id": pc.fill_null(rows["line_id"], ""), "sku": _text_or_empty(rows, "sku"),
            "state": line_states(statuses), "ack": part_statuses(statuses), "ordered": _dtext(statuses["ordered"]),
            "unit": pc.fill_null(rows["unit"], ""), "unit_price": _dtext(rows["unit_price"]),
            "ack_price": _dtext(decided["unit_price"]), "allocated": statuses["allocated"],
            "backordered": statuses["backordered"], "rejected": statuses["rejected"],
            "promised_date": pc.cast(statuses["promised_date"], pa.string()), "warehouses": statuses["warehouses"],
            "reason": statuses["reason"],
            "codes": pc.binary_join(decided["codes"], ","),
            "revision": pa.array(revision, pa.int32()), "run_id": pa.repeat(pa.scalar(ctx.run_id, pa.string()), n),
            # a decided line has shipped and invoiced nothing yet (a change to a shipped order is refused)
            "shipped": pa.repeat(pa.scalar("0", pa.string()), n),
            "invoiced": pa.repeat(pa.scalar("0", pa.string()), n),
            # the item the buyer ordered, on a line decided on its substitute (rules.business.items.substitute)
            "ordered_sku": _text_or_empty(rows, "ordered_sku"),
            "rejected_fraction": fractions, "priced_per": _priced_per_column(rows),
            "unit_eaches": _unit_eaches(decided, self._packs), "backordered_over": overs,
            # nothing of a line decided was cancelled after its answer, nor cut after shipment
            "balance_cancelled": pa.nulls(n, pa.string()), "expired": pa.nulls(n, pa.string()),
            "cut_from": pa.nulls(n, pa.int64()),
        }).cast(LINE_ROWS)
        gone = []
        for i, d in enumerate(answering):  # deleted and cancelled lines stay on the order's story
            stored = ctx.stored.get((d.partner, d.po_number), ())
            if not any(ln.state in GONE for ln in stored):
                continue
            start, stop = spans[i]
            have = set(statuses["line_number"].slice(start, stop - start).to_pylist())
            gone += [line_row(ln) for ln in stored if ln.line_number not in have and ln.state in GONE]
        if gone:
            table = pa.concat_tables([table, pa.Table.from_pylist(gone, schema=LINE_ROWS)])
        return table

    def _reservation_rows(self, answering: list[OrderDecision], allocation: pa.Table | None,
                          rejected: list[bool]) -> ReservationTable:
        ctx = self.ctx
        keys = pa.table({"partner": [d.partner for d in answering], "po_number": [d.po_number for d in answering]},
                        schema=ORDER_KEYS)
        live = pa.array([f"{d.partner}|{d.po_number}" for i, d in enumerate(answering) if not rejected[i]],
                        pa.string())
        parts = []
        if allocation is not None and allocation.num_rows:
            a = allocation
            zero = pa.scalar(Decimal(0), a.schema.field("allocated").type)
            took = pc.and_(pc.and_(pc.fill_null(pc.not_equal(a["warehouse"], ""), False),
                                   pc.not_equal(a["allocated"], zero)), pc.is_in(a["order_ref"], value_set=live))
            a = a.filter(took)
            parts.append(pa.table({"partner": a["partner"], "po_number": a["po_number"],
                                   "line_number": pc.cast(a["line_number"], pa.int32()), "warehouse": a["warehouse"],
                                   "sku": a["sku"], "quantity": truncated(a["allocated"])}))
        kept = []
        for i, d in enumerate(answering):  # an answered order keeps the reservations of its untouched lines
            record = ctx.records[(d.partner, d.po_number)]
            if rejected[i] or not record.is_revision:
                continue
            changed = set(record.changed_lines)
            kept += [{"partner": r.partner, "po_number": r.po_number, "line_number": r.line_number,
                      "warehouse": r.warehouse, "sku": r.sku, "quantity": int(r.quantity)}
                     for r in ctx.reserved.get((d.partner, d.po_number), ()) if r.line_number not in changed]
        if kept:
            parts.insert(0, pa.Table.from_pylist(kept, schema=RESERVATION_ROWS))
        if not parts:
            return ReservationTable(keys, RESERVATION_ROWS.empty_table())
        both = pa.concat_tables([t.cast(RESERVATION_ROWS) for t in parts])
        k = ["partner", "po_number", "line_number", "warehouse"]
        rows = both if in_key_order(both, k) else both.sort_by([(c, "ascending") for c in k])
        if _repeats(rows, k):  # a line and warehouse twice: summed, the last row's SKU
            both = both.append_column("_i", pa.array(np.arange(both.num_rows)))
            summed = both.group_by(k, use_threads=False).aggregate([("quantity", "sum"), ("_i", "max")])
            last_sku = both.take(summed["_i_max"])["sku"]
            rows = pa.table({"partner": summed["partner"], "po_number": summed["po_number"],
                             "line_number": summed["line_number"], "warehouse": summed["warehouse"], "sku": last_sku,
                             "quantity": summed["quantity_sum"]}).cast(RESERVATION_ROWS).sort_by(
                [(c, "ascending") for c in k])
        if pc.any(pc.less(rows["quantity"], 0)).as_py():
            raise PlanError("a negative reservation")
        return ReservationTable(keys, rows)


def decided_orders(transitions: Sequence[OrderTransition], at: Sequence[int] | None = None) -> DecidedOrders:
    """Transitions of orders that exist (each order once) as DecidedOrders: each row every answer and
    hold column of the new record; the rows carry ``at`` (``_at``, and ``_at``/``_step`` on the events)."""
    records = [t.record for t in transitions]
    at = list(range(len(records))) if at is None else list(at)
    orders = pa.table({
        "partner": [r.partner for r in records], "po_number": [r.po_number for r in records],
        "expect_state": [str.__str__(t.expect_state) for t in transitions],
        "expect_revision": pa.array([t.expect_revision for t in transitions], pa.int64()),
        "state": [str.__str__(r.state) for r in records], "updated_at": [r.updated_at for r in records],
        "run_id": [r.run_id for r in records], "ack_type": [r.ack_type for r in records],
        "answered_with": [r.answered_with for r in records],
        "answered_revision": pa.array([r.answered_revision for r in records], pa.int64()),
        "value": [decimal_text(r.value) for r in records], "codes": [list(r.codes) for r in records],
        "changed_lines": [list(r.changed_lines) for r in records], "hold_codes": [list(r.hold_codes) for r in records],
        "hold_reasons": [list(r.hold_reasons) for r in records], "_at": pa.array(at, pa.int64())}, schema=_DECIDED_AT)
    events = [(e, a, step) for t, a in zip(transitions, at, strict=True) for step, e in enumerate(t.events)]
    table = pa.table({
        "partner": [e.partner for e, _, _ in events], "po_number": [e.po_number for e, _, _ in events],
        "at": [e.at for e, _, _ in events], "clock": [str.__str__(e.clock) for e, _, _ in events],
        "event": [str.__str__(e.event) for e, _, _ in events],
        "from_state": [str.__str__(e.from_state) if e.from_state else None for e, _, _ in events],
        "to_state": [str.__str__(e.to_state) for e, _, _ in events], "revision": [e.revision for e, _, _ in events],
        "actor": [e.actor for e, _, _ in events], "note": [e.note for e, _, _ in events],
        "run_id": [e.run_id for e, _, _ in events], "document_key": [e.document_key for e, _, _ in events],
        "_at": [a for _, a, _ in events], "_step": [step for _, _, step in events]}, schema=_EVENTS_AT)
    return DecidedOrders(orders, table)


def _again(record: OrderRecord) -> str:
    """What tells the answer to a person's decision on an order answered before at this very revision apart from
    that first answer's key (a release held since the buyer cancelled its blanket, then rejected: its 855 RD is a
    second answer to the same revision, and would be taken for the 855 already sent): the decision's time; "" for
    every other answer (a new revision keys its own)."""
    if record.person is None or not record.answered_revision or record.answered_revision != record.revision:
        return ""
    return f":{record.person.at}"


def _events(ds: list[OrderDecision], positions: list[int], step: int, *, when: str, run_id: str, **columns
            ) -> pa.Table:
    """Step ``step`` of the moves of the orders ``ds`` (at ``positions``) as DECIDED_EVENTS rows (and
    ``_at``, ``_step``); ``columns`` the rest of DECIDED_EVENTS, a list each."""
    n, text = len(ds), pa.string()
    return pa.table({"partner": [d.partner for d in ds], "po_number": [d.po_number for d in ds],
                     "at": pa.repeat(pa.scalar(when, text), n), "clock": pa.repeat(pa.scalar(str.__str__(Clock.RUN),
                                                                                             text), n),
                     "run_id": pa.repeat(pa.scalar(run_id, text), n), **columns,
                     "_at": pa.array(positions, pa.int64()), "_step": pa.repeat(pa.scalar(step, pa.int64()), n)}
                    ).select(_EVENTS_AT.names).cast(_EVENTS_AT)


def _went_row(row: dict, went: LineRecord, told: str | None) -> dict:
    """The decided LINE_ROWS ``row`` of a changed line that shipped while its order waited for a person, with what
    its stored record (``went``) shipped and invoiced: shipped (invoiced, once every shipped unit is billed) when
    nothing it is promised is left to ship, else partially shipped; its ACK the one the 865 answering its change
    says (``told``: IP for Ace's re-priced line 3; the decision's own said DR, its requested date past though it had
    shipped), else the decision's. Its stored row used to be kept whole: `orderbridge status` showed a blank ACK."""
    promised = (row["allocated"] or 0) + (row["backordered"] or 0)
    state = LineState.PARTIALLY_SHIPPED if went.shipped < promised else \
        LineState.INVOICED if went.invoiced >= went.shipped else LineState.SHIPPED
    return {**row, "state": state.value, "shipped": decimal_text(went.shipped), "invoiced": decimal_text(went.invoiced),
            **({"ack": told} if told else {})}


def _in_order(*parts: DecidedOrders) -> DecidedOrders:
    """DecidedOrders of several parts, rows by ``_at`` (and events by ``_at``, ``_step``), those columns dropped."""
    orders = pa.concat_tables([p.orders for p in parts]).sort_by("_at").drop_columns(["_at"])
    events = pa.concat_tables([p.events for p in parts]).sort_by([("_at", "ascending"), ("_step", "ascending")])
    return DecidedOrders(orders.cast(DECIDED_ORDERS), events.drop_columns(["_at", "_step"]).cast(DECIDED_EVENTS))


def _subset(rows: pa.Table, statuses: pa.Table, spans: list[tuple[int, int]], members: list[int]):
    """The rows of some POs (``members``, in increasing order) and their spans in the subset: the
    tables themselves when the members' spans are every row in order (no row index built or taken)."""
    picked = [spans[m] for m in members]
    bounds = np.array(picked, dtype=np.int64).reshape(len(picked), 2)  # (start, stop) per member, in C
    starts, stops = bounds[:, 0], bounds[:, 1]
    ends = np.cumsum(stops - starts)
    sub = list(zip(np.concatenate([[0], ends[:-1]]).tolist(), ends.tolist(), strict=True)) if picked else []
    if not picked or (starts[0] == 0 and ends[-1] == rows.num_rows and (starts[1:] == stops[:-1]).all()):
        if not picked and rows.num_rows:
            return rows.slice(0, 0), statuses.slice(0, 0), sub
        return rows, statuses, sub  # contiguous from row 0 to the last row: every row, in order
    take = pa.array(np.concatenate([np.arange(a, b) for a, b in picked]), pa.int64())
    return rows.take(take), statuses.take(take), sub


def _without(table: pa.Table, keys: list[Key]) -> pa.Table:
    if not keys or table.num_rows == 0:
        return table
    drop = pa.array([f"{p}|{po}" for p, po in keys], pa.string())
    return table.filter(pc.invert(pc.is_in(pc.binary_join_element_wise(table["partner"], table["po_number"], "|"),
                                           value_set=drop)))


def _per_order(keys: list[Key], lines: pa.Table, reserved: ReservationTable) -> Plan:
    """The line and reservation rows of ``keys`` as per-order replacements (OrderLines, OrderReservations)."""
    if not keys:
        return Plan()
    by_order: dict[Key, list[LineRecord]] = {k: [] for k in keys}
    for row in lines.filter(_member(lines, keys)).to_pylist():
        by_order[(row["partner"], row["po_number"])].append(line_record(row))
    held: dict[Key, list[Reservation]] = {k: [] for k in keys}
    for r in reserved.rows.filter(_member(reserved.rows, keys)).to_pylist():
        held[(r["partner"], r["po_number"])].append(Reservation(r["partner"], r["po_number"], r["line_number"],
                                                                r["warehouse"], r["sku"], r["quantity"]))
    return Plan(lines=tuple(OrderLines(p, po, tuple(sorted(by_order[(p, po)], key=lambda ln: ln.line_number)))
                            for p, po in keys),
                reservations=tuple(OrderReservations(p, po, tuple(held[(p, po)])) for p, po in keys))


def _asked(decided: pa.Table, rows: pa.Table, span: tuple[int, int]) -> dict[int, Decimal | None]:
    """Line number -> PO104 as the partner states it now, for one order's rows (aligned with ``decided``)."""
    start, stop = span
    if stop <= start or "unit_price" not in rows.column_names:
        return {}
    return dict(zip(decided["line_number"].slice(start, stop - start).to_pylist(),
                    rows["unit_price"].slice(start, stop - start).to_pylist(), strict=True))


def _per_each_packs(rows: pa.Table, decided: pa.Table) -> pa.Array:
    """Per line (``rows`` aligned with ``decided``): priced per each (PO105 PE and kin) in a unit of more than
    one each (the decision's unit_eaches: item master, case pack, the line's PO4), where a price of ours,
    being per PO103 unit, is no price per each."""
    if "price_basis" not in rows.column_names or not rows.num_rows:
        return pa.array(np.zeros(rows.num_rows, dtype=bool))
    each = pc.fill_null(pc.is_in(rows["price_basis"], value_set=pa.array(list(PRICE_PER_EACH), pa.string())), False)
    pack = pc.fill_null(pc.greater(decided["unit_eaches"], 1), False)
    return pc.fill_null(pc.and_(each, pack), False)


def _stated_bases(rows: pa.Table, decided: pa.Table, statuses: pa.Table, packs: pa.Array) -> pa.Table:
    """``rows`` (aligned with ``decided`` and ``statuses``) with the PO105 each 855 states: none on a line
    priced per each in a pack of eaches (``packs``: _per_each_packs) that we answer at our price per PO103
    unit (its ack_price, whatever the cause: read per each, out of tolerance, missing, an approved hold),
    whose number is per CA, not per each (schemas.units.stated_basis); the buyer's basis elsewhere."""
    if "price_basis" not in rows.column_names or not rows.num_rows:
        return rows
    blank = pc.fill_null(pc.and_(pc.is_valid(statuses["ack_price"]), packs), False)
    if not pc.any(blank).as_py():
        return rows
    return rows.set_column(rows.column_names.index("price_basis"), "price_basis",
                           pc.if_else(blank, pa.scalar("", pa.string()), rows["price_basis"]))


def allocated_note(m: tuple) -> str:
    """The ALLOCATED event's note from an order's _units: "84 units allocated, ..." counts eaches, the stock's unit;
    where the lines' own units differ (4 PK of 6), each count says the lines' figure, as their table does, with the
    eaches beside it: "64 (84 each) units allocated, 0 backordered, 0 not placeable on 3 line(s)"."""
    eaches, own = m[:3], (m[4:7] if len(m) >= 7 else m[:3])
    said = [f"{o} ({e} each)" if o != e else f"{e}" for e, o in zip(eaches, own, strict=True)]
    return f"{said[0]} units allocated, {said[1]} backordered, {said[2]} not placeable on {m[3]} line(s)"


def _in_own_units(t: pa.Table, decided: pa.Table | None) -> pa.Table:
    """``t`` (order_ref, line_number, allocated, backordered, rejected in eaches) with own_allocated, own_backordered
    and own_rejected: the same in the line's PO103 unit (``decided``'s unit_eaches per partner|PO and line; a row
    whose counts are no whole number of its unit, or a line not decided here, keeps its eaches)."""
    per = np.ones(t.num_rows, np.int64)
    if decided is not None and decided.num_rows and "unit_eaches" in decided.column_names and t.num_rows:
        of = pa.table({"order_ref": pc.binary_join_element_wise(decided["partner"], decided["po_number"], "|"),
                       "line_number": pc.cast(decided["line_number"], t["line_number"].type),
                       "_per": pc.fill_null(decided["unit_eaches"], 1)})
        keyed = t.select(["order_ref", "line_number"]).append_column("_at", pa.array(np.arange(t.num_rows)))
        joined = keyed.join(of, ["order_ref", "line_number"], join_type="inner", use_threads=False)
        at = joined["_at"].to_numpy()
        per[at] = np.maximum(joined["_per"].to_numpy(), 1)
    counts = {c: np.asarray(pc.fill_null(t[c], 0).to_numpy(zero_copy_only=False), np.int64)
              for c in ("allocated", "backordered", "rejected")}
    whole = np.logical_and.reduce([v % per == 0 for v in counts.values()])
    per = np.where(whole, per, 1)
    for c, v in counts.items():
        t = t.append_column(f"own_{c}", pa.array(v // per, pa.int64()))
    return t


def _unit_eaches(decided: pa.Table, packs: pa.Array) -> pa.Array:
    """Each line's unit_eaches (schemas.lifecycle.LineRecord): on a line priced per each in a pack of eaches
    (``packs``) the eaches its unit holds (the 810 states our price on it without PE, as the 855 does:
    schemas.units.stated_basis); null elsewhere."""
    if not pc.any(packs).as_py():
        return pa.nulls(decided.num_rows, pa.int64())
    return pc.if_else(packs, pc.cast(decided["unit_eaches"], pa.int64()), pa.scalar(None, pa.int64()))


def _priced_per_column(rows: pa.Table) -> pa.Array:
    """Each line's priced_per (schemas.lifecycle.LineRecord): on a line whose price is kept per so many of its units
    (287.45 TF on a line in FT: schemas.units.priced_per), that many ("1000"); null elsewhere (1): what reads the
    stored lines alone values it per unit."""
    out = pa.nulls(rows.num_rows, pa.string())
    if "price_basis" not in rows.column_names or not rows.num_rows:
        return out
    of = pc.fill_null(pc.is_in(rows["price_basis"], value_set=pa.array(list(KEPT_PER_MANY_BASES), pa.string())),
                      False)
    if not pc.any(of).as_py():
        return out
    values: list[str | None] = [None] * rows.num_rows
    units, bases = rows["unit"].to_pylist(), rows["price_basis"].to_pylist()
    for i in np.flatnonzero(np.asarray(of.to_numpy(zero_copy_only=False), bool)).tolist():
        many = priced_per(units[i], bases[i])
        if many != 1:
            values[i] = decimal_text(Decimal(many))
    return pa.array(values, pa.string())


def _fractions(statuses: pa.Table) -> tuple[pa.Array, pa.Array]:
    """Each line's rejected_fraction and backordered_over (schemas.lifecycle.LineRecord), null elsewhere, on a line
    ordered in a fraction of its unit (1.344 TM, 12.5 LB). rejected_fraction: when its rejected part (its IR ACKs,
    exactly: 0.344 TM) is more than the whole units the store keeps of it (statuses' rejected: 0), the rest (0.344).
    What counts what we acknowledged of the stored line (a release's draw on its blanket, engine.blankets.
    acknowledged) counts it exactly. backordered_over: when its backordered part (its IB ACKs, exactly: 2.5 LB) is
    less than the whole units the store keeps covering it (statuses' backordered: 3, engine.answer._backordered),
    what of the last it does not want (0.5)."""
    fractions = overs = pa.nulls(statuses.num_rows, pa.string())
    if not statuses.num_rows:
        return fractions, overs
    ordered = pc.cast(statuses["ordered"], pa.decimal128(38, 4))
    frac = pc.fill_null(pc.not_equal(ordered, pc.cast(pc.floor(ordered), pa.decimal128(38, 4))), False)
    if not pc.any(frac).as_py():
        return fractions, overs
    values: list[str | None] = [None] * statuses.num_rows
    over: list[str | None] = [None] * statuses.num_rows
    parts, rejected, backordered = statuses["parts"], statuses["rejected"], statuses["backordered"]
    for i in np.flatnonzero(np.asarray(frac.to_numpy(zero_copy_only=False), bool)).tolist():
        said = parts[i].as_py() or ()
        exact = sum((p["quantity"] or Decimal(0) for p in said if p["status"] == "IR"), Decimal(0))
        whole = rejected[i].as_py() or 0
        if 0 < exact - whole < 1:  # (the store's whole units and the fraction written by the one helper for both)
            values[i] = decimal_text(rejected_stored(exact)[1])
        waits = sum((p["quantity"] or Decimal(0) for p in said if p["status"] == "IB"), Decimal(0))
        if 0 < (backordered[i].as_py() or 0) - waits < 1:
            over[i] = decimal_text(backordered_stored(waits)[1])
    return pa.array(values, pa.string()), pa.array(over, pa.string())


def _member(table: pa.Table, keys: list[Key]) -> pa.ChunkedArray:
    wanted = pa.array([f"{p}|{po}" for p, po in keys], pa.string())
    return pc.is_in(pc.binary_join_element_wise(table["partner"], table["po_number"], "|"), value_set=wanted)


def _repeats(ordered: pa.Table, keys: list[str]) -> bool:
    """Two rows of ``ordered`` (sorted by ``keys``) have equal keys (a null key counts as a repeat)."""
    n = ordered.num_rows
    if n < 2:
        return False
    same = None
    for c in keys:
        col = ordered[c]
        eq = pc.fill_null(pc.equal(col.slice(1), col.slice(0, n - 1)), True)
        same = eq if same is None else pc.and_(same, eq)
    return pc.any(same).as_py()


def _no_line_twice(decided: pa.Table) -> None:
    if decided.num_rows == 0:
        return
    if not unique_rows(decided["partner"], decided["po_number"], decided["line_number"]):
        raise PlanError("an order has a line number twice")


def _all_ir(statuses: pa.Table, spans: list[tuple[int, int]]) -> np.ndarray:
    """Per order: it has lines and every ACK of every line is IR."""
    n = statuses.num_rows
    if n == 0:
        return np.zeros(len(spans), dtype=bool)
    line_ir = np.asarray(pc.equal(line_states(statuses), LineState.REJECTED.value).to_numpy(zero_copy_only=False),
                         dtype=bool)
    # line_states says REJECTED only when nothing is allocated or backordered; every ACK IR implies that
    cum = np.concatenate([[0], np.cumsum(line_ir)])
    return np.asarray([(b > a) and (cum[b] - cum[a] == b - a) for a, b in spans], dtype=bool)


_FIRST_DAY, _LAST_DAY = ((d - date(1970, 1, 1)).days for d in (date.min, date.max))


def _ship_from(orders: pa.Table, requested: list, transit: Mapping[str, Transit | int | None] | None = None) -> list:
    """Each PO's first day to ship (``requested``: its DTM 010 per row): its DTM 010, or its ship window's
    opening (DTM 037 ship not before) when it gives no ship date or one before it. A PO giving only a window
    is promised (855 ACK/DTM 068) for its opening day, never for a day the PO forbids shipping on; today
    still floors it (_Batch._ship). A PO asking no ship date with a delivery window (DTM 064 do not deliver
    before) ships its opening less its partner's days in transit (``transit``: partner -> its profile's
    [fulfilment.asn] transit_days; engine.answer.first_ship_day); it used to be promised for the run's day. So
    does one asking only a delivery date (DTM 002) its day less the days in transit."""
    transit = transit or {}
    windows = [c for c in ("ship_not_before", "do_not_deliver_before", "requested_delivery_date")
               if c in orders.column_names and orders[c].null_count < orders.num_rows]
    if not windows or ("ship_not_before" not in windows and not any(v is not None for v in transit.values())):
        return requested
    n = orders.num_rows
    opens, before, on = (_py_dates(orders[c]) if c in windows else [None] * n
                         for c in ("ship_not_before", "do_not_deliver_before", "requested_delivery_date"))
    partners = orders["partner"].to_pylist() if "partner" in orders.column_names else [None] * n
    return [first_ship_day(r, o, b, transit.get(p), d) for r, o, b, p, d in zip(requested, opens, before, partners,
                                                                               on, strict=True)]


def _less_transit(arrive: pa.Array, transit: list[Transit | None]) -> pa.Array:
    """Each row's day ``arrive`` less its ``transit`` (its partner's: schemas.orders.Transit; null where none is
    known): arithmetic for calendar days, day by day for a partner counting business days."""
    if not any(t is not None and t.business_days for t in transit):
        days_in = pa.array([None if t is None else t.days for t in transit], pa.int32())
        return pc.cast(pc.subtract(pc.cast(arrive, pa.int32()), days_in), pa.date32())
    return pa.array([None if t is None or d is None else t.before(d) for d, t in zip(arrive.to_pylist(), transit,
                                                                                     strict=True)], pa.date32())


def _py_dates(values: pa.ChunkedArray) -> list:
    """A date32 column's values as ``to_pylist`` gives them (datetime.date, None for null), made by numpy
    (pyarrow builds each date in Python: 6 ms for 10,000); ``to_pylist`` for days outside datetime.date's
    years 1-9999 (numpy would give those as integers)."""
    low, high = pc.min_max(values.cast(pa.int32())).values()  # days since 1970-01-01
    if low.is_valid and (low.as_py() < _FIRST_DAY or high.as_py() > _LAST_DAY):
        return values.to_pylist()
    return values.to_numpy(zero_copy_only=False).astype("datetime64[D]").astype(object).tolist()


def _dtext(values) -> pa.ChunkedArray:
    return pc.if_else(pc.is_valid(values), decimal_texts(values), pa.scalar(None, pa.string()))


def _text_or_empty(table: pa.Table, column: str):
    if column not in table.column_names:
        return pa.array([""] * table.num_rows, pa.string())
    return pc.fill_null(table[column], "")


def final_change_result(result: ChangeResult, statuses: list[LineStatus], *, order_rejected: bool,
                        in_part: Collection[int] = ()) -> ChangeResult:
    """The 865's view of a change once the order is decided: a POC whose line the rules rejected (or
    whose order was rejected) is IR; an accepted one carries the quantity we acknowledge (and, its line
    backordered, the day the whole line is to ship: the latest ACK05 of the 855's parts); a change
    without POCs on a rejected order is rejected (BCA02 RJ). ``in_part``: the changed lines that shipped some of
    their units, the rest still to ship (they too carry the day the rest ships)."""
    by_line = {s.line_number: s for s in statuses}
    out = []
    for r in result.line_results:
        s = by_line.get(r.line_number) if r.line_number is not None else None
        if r.status in (POC_REJECTED, DELETED) or (s is None and not order_rejected):
            out.append(r)
        elif order_rejected or all(st == "IR" for st in s.ack.statuses()):
            out.append(replace(r, status=POC_REJECTED))
        else:
            if s.ordered is not None and r.quantity is not None and s.ordered != r.quantity:
                r = replace(r, quantity=s.ordered)
            # a line backordered: the 865's one ACK carries the day the whole line is to ship, the latest of the
            # 855's parts' (BP 24 on the ship date 12-10 and IB 12 promised 12-04: 12-10; IB alone: its promised day)
            # (and a line whose own ship or delivery date the POC moved, DTM 010 / 037 / 002 of its loop: the day it
            # now ships, as the 855's ACK 068 says it)
            days = [p.ship_date for p in s.ack.parts if p.status != POC_REJECTED and p.ship_date]
            moved = any(r.change.get(c) is not None for c in LINE_DECIDING_DATES)
            # a line the rules rescheduled (its date already past: DATE_IN_PAST, ACK01 DR "item accepted - date
            # rescheduled" in its 855): the POC taken as asked but not on that date, so the 865 says DR too, with the
            # day we can ship (and BCA02 AC: not every change as asked); it used to say IA, as if the past date were
            # met
            rescheduled = r.status == POC_ACCEPTED and "DR" in s.ack.statuses()
            if rescheduled:
                r = replace(r, status="DR", code=r.code or "DATE_IN_PAST")
            if r.unpriced and s.ack.unit_price is not None:  # an item replaced without a price: ours for it (POC06)
                r = replace(r, price=s.ack.unit_price)
            # (and a line shipped in part, its rest still to ship: the day the rest ships, as the 855's ACK of it
            # says; a re-priced line shipped 4 of 6 while held answered ACK*IP*6*EA with no date for the other 2)
            rest = r.line_number in in_part
            out.append(r if not days or (s.backordered <= 0 and not moved and not rescheduled and not rest)
                       else replace(r, ship_date=max(days)))
    # a change without POC lines (a heading change: new dates, ship-to) on an order the rules rejected: RJ, not AK
    return replace(result, line_results=out, rejected=result.rejected or (order_rejected and not out))


def decision_findings(findings: Sequence[Finding], decisions: Sequence[OrderDecision], orders: pa.Table,
                      lines: pa.Table, *, stage: str = "decide") -> tuple[FindingRecord, ...]:
    """The rules' findings with the order they concern and what happened because of each."""
    if not findings:
        return ()
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
        return HELD_FOR_A_PERSON
    if d.status == REJECTED:
        return "order rejected (855 RD)" + (f" by {d.decided_by}" if d.decided_by else "")
    approved = f"approved by {d.decided_by}; " if d.decided_by else ""
    if f.location.line_number is not None:
        ld = d.line(int(f.location.line_number))
        if ld is not None:
            qty = f" {_num(ld.quantity)}" if ld.ack01 == "IQ" and ld.quantity is not None else ""
            return approved + f"line {ld.line_number}: {ld.ack01}{qty}" + (
                " (accepted, reported)" if ld.ack01 == "IA" else "")
    return approved + ("reported" if f.severity != "error" else "order answered with these line outcomes")


def _ref02_max(profile: PartnerProfile) -> tuple[str, int | None]:
    """The partner's version and REF02's most characters in it (None: no dictionary of it)."""
    from schemas.x12dict import dictionary

    version = profile.x12.version if profile.x12 is not None else "004010"
    d = dictionary(version)
    return version, (d.elements["127"].max if d is not None else None)


def _left_out(profile: PartnerProfile, po_number: str, qualifier: str, value: str, version: str, most: int,
              line_number: int | None = None) -> FindingRecord:
    from schemas.findings import finding

    where = f"line {line_number}'s " if line_number is not None else ""
    return FindingRecord(finding(
        "ACK_VALUE_LEFT_OUT",
        f"{where}REF*{qualifier} {value!r} has {len(value)} characters; REF02 holds {most} in {version}, the "
        f"version of {profile.id}'s 855: the REF is left out of the 855 (every line is answered).",
        seg="REF", element="REF02", value=value, line_number=line_number), profile.id, po_number,
        "left out of the 855", "decide")


def _at_po(records: list[FindingRecord], ctx, partner: str) -> list[FindingRecord]:
    """ACK_VALUE_LEFT_OUT ``records`` at their PO's file and set (the failures report's file, ISA13, GS06 and ST02
    columns: which file's PO went without its reference), read from the stored ORDERS row (``ctx``)."""
    if not records:
        return records
    from dataclasses import replace

    file, isa13, gs06, st02 = (ctx.head_column(c) for c in ("source_file", "isa13", "gs06", "st02"))
    out = []
    for r in records:
        i = ctx.head_at[(partner, r.po_number)]
        at = replace(r.finding.location, file=file[i] or "", isa13=isa13[i] or "", gs06=gs06[i] or "",
                     st02=st02[i] or "")
        out.append(replace(r, finding=replace(r.finding, location=at)))
    return out


def line_refs_too_long(rows: pa.Table, spans: list[tuple[int, int]], heads: list[dict], settings: PoAckSettings,
                       profile: PartnerProfile) -> tuple[pa.Table, list[FindingRecord]]:
    """``rows`` without the lines' own REFs (line_refs, of the qualifiers settings.line_refs echoes) longer than
    REF02 in the partner's version, and a warning for each (as refs_too_long; over columns, rows rebuilt only
    when one is found)."""
    version, most = _ref02_max(profile)
    if most is None or "line_refs" not in rows.column_names or rows["line_refs"].null_count == rows.num_rows:
        return rows, []
    refs = rows["line_refs"].combine_chunks() if isinstance(rows["line_refs"], pa.ChunkedArray) \
        else rows["line_refs"]
    flat = refs.flatten()
    long = pc.and_(pc.fill_null(pc.greater(pc.utf8_length(flat.field("id")), most), False),
                   pc.fill_null(pc.is_in(flat.field("qualifier"), value_set=pa.array(list(settings.line_refs),
                                                                                      pa.string())), False))
    if not pc.any(long).as_py():
        return rows, []
    parent = np.asarray(refs.value_parent_indices().to_numpy(zero_copy_only=False), dtype=np.int64)
    bad = set(parent[np.asarray(long.to_numpy(zero_copy_only=False), dtype=bool)].tolist())
    head_of = np.searchsorted(np.asarray([b for _, b in spans], dtype=np.int64), np.arange(rows.num_rows),
                              side="right")
    listed = refs.to_pylist()
    numbers = rows["line_number"].to_pylist() if "line_number" in rows.column_names else [None] * rows.num_rows
    out: list[FindingRecord] = []
    for r in sorted(bad):
        kept = []
        for ref in listed[r]:
            if ref["qualifier"] in settings.line_refs and ref["id"] and len(ref["id"]) > most:
                out.append(_left_out(profile, heads[int(head_of[r])]["po_number"], ref["qualifier"], ref["id"],
                                     version, most, numbers[r]))
            else:
                kept.append(ref)
        listed[r] = kept
    at = rows.column_names.index("line_refs")
    return rows.set_column(at, rows.field(at), pa.array(listed, refs.type)), out


def refs_too_long(heads: list[dict], settings: PoAckSettings, profile: PartnerProfile) -> list[FindingRecord]:
    """The PO references (REF02) the partner's 855 echoes (settings.order_refs) that are longer than REF02 in the
    partner's version (004010: 30; a 005010 PO's REF*DP may have 50): each left out of its head (its REF is not
    written, the 855 still answers every line) with a warning naming it, as the partner's translator would refuse
    the whole 855 for it (ELEMENT_TOO_LONG). Only the lengths are looked at: a few values per order. Every REF of a
    qualifier the 855 echoes is (schemas.orders.order_ref_elements: the first of one ORDER_REFS names in its column,
    the others in the PO's refs_sent); one left out takes its REF03 with it, the others of its qualifier stay."""
    from schemas.orders import ORDER_REFS

    wanted = settings.order_refs
    version, most = _ref02_max(profile) if wanted else ("", None)
    if most is None:
        return []
    out: list[FindingRecord] = []
    for h in heads:
        for qualifier in dict.fromkeys(wanted):
            column = ORDER_REFS.get(qualifier)
            long: list[str] = []
            if column is not None and (value := h.get(column)) and len(value) > most:
                h[column] = None
                long.append(value)
            refs = h.get("refs_sent") or []
            of_it = [k for k, r in enumerate(refs) if r.get("qualifier") == qualifier and r.get("id")]
            gone = {k for k in (of_it[1:] if column is not None else of_it) if len(refs[k]["id"]) > most}
            first_gone = bool(long) if column is not None else bool(of_it) and of_it[0] in gone
            if gone:
                h["refs_sent"] = [r for k, r in enumerate(refs) if k not in gone]
                long += [refs[k]["id"] for k in sorted(gone)]
            if first_gone and h.get("ref_descriptions"):
                # the first REF of it is left out, and its REF03 (ref_descriptions') with it: never written alone
                # (REF*DP**text would name another reference than the PO's); of a qualifier no column holds, the
                # first one left states its own (refs_sent's)
                after = next((refs[k].get("description") for k in of_it if k not in gone), None) if column is None \
                    else None
                h["ref_descriptions"] = [r for r in h["ref_descriptions"] if r["qualifier"] != qualifier] + (
                    [{"qualifier": qualifier, "description": after}] if after else [])
            out += [_left_out(profile, h["po_number"], qualifier, value, version, most) for value in long]
    return out
