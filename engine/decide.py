"""From business findings to decisions: one outcome per order line and a status per order.

Pure: the run's orders and (item-resolved) lines, the business findings about them, each partner's
outcome policy and the decisions people took (approve / reject) in; OrderDecisions out. A finding
without a line applies to every line of its order; the strongest outcome wins (schemas.outcomes).

Columnar: every line's decision is a row of one LINE_DECISIONS table for the run (a line no finding
touches is accepted as sent, or rejected with its order, without a Python object); only the lines
of orders with findings are decided one by one. OrderDecision.lines reads its rows on demand.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from rules.business import check_do_not_exceed_answered, list_price, price_index
from rules.business.quantities import (
    PO4_COLUMNS,
    answered_quantity,
    line_eaches_per_unit,
    partners_with_own_units,
    per_unit_column,
    unit_index,
)
from rules.distinct import distinct_rows
from schemas.findings import Finding
from schemas.lifecycle import PersonDecision
from schemas.orders import PRICE, QTY
from schemas.outcomes import Outcome, Policy, holding_codes, outcome_for, strongest
from schemas.reasons_text import join_reasons
from schemas.reference import ReferenceData
from schemas.rule_settings import RuleSettings
from schemas.units import priced_per

ACCEPTED, PENDING, REJECTED = "accepted", "held", "rejected"  # an order's decision (the lifecycle moves it)
HELD = PENDING

# One row per line of every decided order, ordered as the decisions then by line number.
LINE_DECISIONS = pa.schema([
    pa.field("partner", pa.string(), nullable=False),
    pa.field("po_number", pa.string(), nullable=False),
    pa.field("line_number", pa.int32(), nullable=False),
    pa.field("ack01", pa.string(), nullable=False),  # IA, IR, IQ, IP, DR, IH
    pa.field("action", pa.string(), nullable=False),
    pa.field("quantity", QTY),  # the quantity we acknowledge (after case-pack rounding / minimums)
    pa.field("unit_price", PRICE),  # our price when we change it (IP): prices.csv's, to 6 decimals
    pa.field("codes", pa.list_(pa.string())),
    pa.field("reason", pa.string()),
    pa.field("unit_eaches", pa.int64()),  # eaches in one PO103 unit (item master); null = 1
])


@dataclass(frozen=True, slots=True)
class LineDecision:
    line_number: int
    ack01: str  # IA, IQ, IP, DR, IR, IH
    action: str
    quantity: Decimal | None  # the quantity we acknowledge (after case-pack rounding / minimums)
    unit_price: Decimal | None  # our price when we change it (IP)
    codes: tuple[str, ...] = ()
    reason: str = ""
    unit_eaches: int = 1  # eaches in one PO103 unit (item master): allocation counts eaches


class OrderDecision:
    """One order's decision; its line decisions are either given (``lines``) or rows
    ``span`` of the run's LINE_DECISIONS ``table`` (read when asked for)."""

    __slots__ = ("partner", "po_number", "order_ref", "source_file", "status", "codes", "reasons", "decided_by",
                 "_lines", "table", "span", "held_for")

    def __init__(self, partner: str, po_number: str, order_ref: str, source_file: str, status: str,
                 lines: list[LineDecision] | None = None, codes: tuple[str, ...] = (), reasons: tuple[str, ...] = (),
                 decided_by: str = "", *, table: pa.Table | None = None, span: tuple[int, int] = (0, 0)) -> None:
        self.partner, self.po_number, self.order_ref, self.source_file = partner, po_number, order_ref, source_file
        self.status, self.codes, self.reasons, self.decided_by = status, codes, reasons, decided_by
        self._lines = lines if lines is not None or table is not None else []
        self.table, self.span = table, span
        # the codes of the findings whose outcome holds the order or one of its lines (hold_order, hold_line):
        # what it is held for, of all its codes (a CASE_PACK_ROUNDED beside a credit hold is not one)
        self.held_for: tuple[str, ...] = ()

    @property
    def lines(self) -> list[LineDecision]:
        if self._lines is None:
            start, stop = self.span
            rows = self.table.slice(start, stop - start).to_pylist() if self.table is not None else []
            self._lines = [LineDecision(r["line_number"], r["ack01"], r["action"], r["quantity"], r["unit_price"],
                                        tuple(r["codes"] or ()), r["reason"] or "", r["unit_eaches"] or 1)
                           for r in rows]
        return self._lines

    @lines.setter
    def lines(self, value: list[LineDecision]) -> None:
        self._lines, self.table, self.span = value, None, (0, 0)

    def line(self, line_number: int) -> LineDecision | None:
        return next((ld for ld in self.lines if ld.line_number == line_number), None)

    def __repr__(self) -> str:
        return f"OrderDecision({self.partner!r}, {self.po_number!r}, {self.status!r})"

    def __getstate__(self) -> dict:
        return {k: getattr(self, k) for k in self.__slots__}

    def __setstate__(self, state: dict) -> None:
        self.held_for = ()
        for k, v in state.items():
            setattr(self, k, v)


def line_decisions(decisions: Sequence[OrderDecision]) -> pa.Table:
    """LINE_DECISIONS rows of ``decisions``, in their order: the run's table as it is when the
    decisions came from one decide() call, else built from their lines."""
    return line_decisions_spans(decisions)[0]


def line_decisions_spans(decisions: Sequence[OrderDecision]) -> tuple[pa.Table, list[tuple[int, int]]]:
    """line_decisions and each decision's (start, stop) rows in it."""
    lengths = [d.span[1] - d.span[0] if d.table is not None else len(d.lines) for d in decisions]
    bounds = np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)]).tolist() if decisions else [0]
    spans = list(zip(bounds[:-1], bounds[1:], strict=True))
    return _line_decisions(decisions), spans


def _line_decisions(decisions: Sequence[OrderDecision]) -> pa.Table:
    tables = {id(d.table): d.table for d in decisions}
    if len(tables) == 1 and decisions and decisions[0].table is not None:
        table = decisions[0].table
        spans = [d.span for d in decisions]
        if spans == sorted(spans) and spans[0][0] == 0 and spans[-1][1] == table.num_rows and all(
                a[1] == b[0] for a, b in zip(spans, spans[1:], strict=False)):
            return table
        return pa.concat_tables([table.slice(a, b - a) for a, b in spans]) if spans else LINE_DECISIONS.empty_table()
    rows = [{"partner": d.partner, "po_number": d.po_number, "line_number": ld.line_number, "ack01": ld.ack01,
             "action": ld.action, "quantity": ld.quantity, "unit_price": ld.unit_price, "codes": list(ld.codes),
             "reason": ld.reason, "unit_eaches": ld.unit_eaches} for d in decisions for ld in d.lines]
    return pa.Table.from_pylist(rows, schema=LINE_DECISIONS)


def _where(file: str, isa13: str, gs06: str, st02: str) -> tuple[str, str]:
    return file or "", f"{isa13}-{gs06}-{st02}"


def owners(orders: pa.Table, lines: pa.Table) -> dict[tuple[str, str], tuple[str, str]]:
    """(file, ISA13-GS06-ST02) of every order and line row -> (partner, PO): lines added by an 860
    carry the 860's lineage, and their findings still belong to the PO."""
    out = {}
    keys = ["partner", "po_number", "source_file", "isa13", "gs06", "st02"]
    for table in (orders, lines):
        distinct = table.select(keys).group_by(keys, use_threads=False).aggregate([])
        for p, po, f, i, g, s in zip(*(distinct[k].to_pylist() for k in keys), strict=True):
            out[_where(f, i, g, s)] = (p, po)
    return out


def as_reported(findings: Sequence[Finding]) -> tuple[str, ...]:
    """An order's findings' messages (each once) in the order the run's failures report lists them
    (engine.report_failures.failure_table: by file, ISA13, GS06, ST02, then line, the findings above the line
    level first, then as found): a held order's reasons, so that `state rebuild`, which reads them back from that
    report (engine.lifecycle.restore_holds), gives them back in the order the night wrote them."""
    def where(f: Finding) -> tuple:
        loc = f.location
        line = -1 if loc.line_number is None else int(loc.line_number)
        return loc.file or "", loc.isa13 or "", loc.gs06 or "", loc.st02 or "", line

    return tuple(dict.fromkeys(f.message for f in sorted(findings, key=where) if f.message))


def decide(orders: pa.Table, lines: pa.Table, findings: list[Finding], ref: ReferenceData,
           settings: RuleSettings, *, policies: Mapping[str, Policy] | None = None,
           people: Mapping[tuple[str, str], PersonDecision] | None = None) -> list[OrderDecision]:
    policies, people = policies or {}, people or {}
    who = owners(orders, lines) if findings else {}  # a grouping of every line: only when a finding needs it
    by_order: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in findings:
        loc = f.location
        owner = who.get(_where(loc.file, loc.isa13, loc.gs06, loc.st02))
        if owner:
            by_order[owner].append(f)
    heads = zip(*(orders[c].to_pylist() for c in ("partner", "po_number", "order_ref", "source_file")), strict=True)
    table, spans = _line_table(orders, lines)
    substituted = _substituted_orders(table, spans)
    out: list[OrderDecision] = []
    rejected_orders: list[int] = []  # order positions whose untouched lines are IR
    special: dict[int, list[LineDecision]] = {}  # order position -> its lines decided one by one
    prices = extra = None
    units = unit_index(ref)
    for i, (partner, po, order_ref, source_file) in enumerate(heads):
        key = (partner, po)
        order_findings = by_order.get(key, []) if by_order else []
        person = people.get(key) if people else None
        if not order_findings and person is None and i not in substituted:  # nothing to weigh: accepted as sent
            out.append(OrderDecision(partner, po, order_ref, source_file, ACCEPTED, table=table, span=spans[i]))
            continue
        policy = policies.get(partner)
        order_level: list[tuple[Outcome, Finding]] = []
        per_line: dict[int, list[tuple[Outcome, Finding]]] = defaultdict(list)
        for f in order_findings:
            o = outcome_for(f.code, policy)
            if f.location.line_number is None:
                order_level.append((o, f))
            else:
                per_line[int(f.location.line_number)].append((o, f))
        order_outcome = strongest([o for o, _ in order_level if o.scope == "order"]
                                  + [o for fs in per_line.values() for o, _ in fs if o.scope == "order"])
        shared_line = [o for o, _ in order_level if o.scope == "line"]
        # a line whose strongest outcome holds it (hold_line: "pending_approval") holds the order for a
        # person; the 855 is sent once one decides (an unanswered line was IR in an 855 sent at once)
        line_held = any(strongest([o for o, _ in fs if o.scope == "line"] + shared_line).order_status
                        == "pending_approval" for fs in per_line.values()) or (
            strongest(shared_line).order_status == "pending_approval")
        dec = OrderDecision(partner, po, order_ref, source_file, ACCEPTED,
                            codes=tuple(sorted({f.code for f in order_findings})),
                            reasons=tuple(dict.fromkeys(f.message for f in order_findings)),
                            table=table, span=spans[i])
        dec.held_for = _holding_codes(order_level, per_line)
        if person and person.verdict == "rejected":
            dec.status, dec.decided_by = REJECTED, person.by
            dec.reasons = (f"rejected by {person.by}: {person.reason}",) + dec.reasons
        elif order_outcome.action == "reject_order":
            dec.status = REJECTED
        elif (order_outcome.action == "hold_order" or line_held) and not (person and person.verdict == "approved"):
            dec.status = PENDING
            dec.reasons = as_reported(order_findings)  # (a held order's reasons: state rebuild reads them back)
        elif person and person.verdict == "approved":
            dec.decided_by = person.by
        if (order_findings or i in substituted) and dec.status != REJECTED:
            if prices is None:
                prices = price_index(ref.prices)
                extra = orders.select(["po_date", "currency"]).to_pylist()
            start, stop = spans[i]
            rows = table.slice(start, stop - start).to_pylist() if stop > start else []
            shared = [(o, f) for o, f in order_level if o.scope == "line"]
            special[i] = [_line(row, extra[i], per_line.get(row["line_number"], []), shared, dec.status, person,
                                prices, settings.for_partner(partner), units) for row in rows]
        elif dec.status == REJECTED:
            rejected_orders.append(i)
        out.append(dec)
    final = _decided_table(table, spans, special, rejected_orders, _unit_eaches(table, settings, units))
    counts = _ir_counts(final, spans)
    for i, dec in enumerate(out):
        dec.table = final
        dec._lines = None
        start, stop = spans[i]
        if dec.status == ACCEPTED and stop > start and counts[i] == stop - start:
            dec.status = REJECTED
    return out


def _holding_codes(order_level: list[tuple[Outcome, Finding]],
                   per_line: Mapping[int, list[tuple[Outcome, Finding]]]) -> tuple[str, ...]:
    """The codes of the findings that hold the order (schemas.outcomes.holding_codes, by their codes)."""
    return holding_codes([(o, f.code) for o, f in order_level],
                         {n: [(o, f.code) for o, f in fs] for n, fs in per_line.items()})


def decide_within_limits(orders: pa.Table, lines: pa.Table, findings: list[Finding], ref: ReferenceData,
                         settings: RuleSettings, *, policies, people=None) -> tuple[list[OrderDecision], list[Finding]]:
    """decide's decisions, and the findings they weighed: with ORDER_AMOUNT_EXCEEDED for a PO within
    its CSH03 as sent that our answer (case packs rounded up, minimums raised, our prices) would take over it,
    the orders decided again with it (held). Only orders with a CSH03 are looked at."""
    decisions = decide(orders, lines, findings, ref, settings, policies=policies, people=people)
    if "do_not_exceed_amount" not in orders.column_names or \
            orders["do_not_exceed_amount"].null_count == orders.num_rows:
        return decisions, findings
    over = check_do_not_exceed_answered(orders, lines, line_decisions(
        [d for d in decisions if d.status == ACCEPTED]), ref)
    if not over:
        return decisions, findings
    findings = [*findings, *over]
    return decide(orders, lines, findings, ref, settings, policies=policies, people=people), findings


def _line_table(orders: pa.Table, lines: pa.Table) -> tuple[pa.Table, list[tuple[int, int]]]:
    """The lines of every order, in order then line-number order, with the columns a line decision
    needs; and each order's (start, stop) rows."""
    n = orders.num_rows
    index = pa.table({"partner": orders["partner"], "po_number": orders["po_number"],
                      "_o": pa.array(np.arange(n), pa.int64())})
    if n and index.group_by(["partner", "po_number"], use_threads=False).aggregate([]).num_rows != n:
        index = _first_per_key(index)
    cols = [c for c in ("partner", "po_number", "line_number", "quantity", "unit", "case_pack", "min_order_qty",
                        "sku", *PO4_COLUMNS, "ordered_sku", "price_basis") if c in lines.column_names]
    # each line's order position, found once per distinct (partner, PO) of the lines (an inner join)
    first, codes = distinct_rows([lines["partner"], lines["po_number"]])
    per_order = lines.select(["partner", "po_number"]).take(pa.array(first)).append_column(
        "_d", pa.array(np.arange(len(first)), pa.int64()))
    per_order = per_order.join(index, ["partner", "po_number"], join_type="left outer", use_threads=False).sort_by("_d")
    order_at = pc.take(per_order["_o"], pa.array(codes))
    joined = lines.select(cols).append_column("_o", order_at).append_column(
        "_r", pa.array(np.arange(lines.num_rows), pa.int64()))
    if order_at.null_count:  # lines of no order to decide
        joined = joined.filter(pc.is_valid(joined["_o"]))
    o, number = np.asarray(joined["_o"].to_numpy(), np.int64), joined["line_number"]
    if number.null_count or not _ascending(o, np.asarray(number.to_numpy(), np.int64)):  # not in that order yet
        joined = joined.sort_by([("_o", "ascending"), ("line_number", "ascending"), ("_r", "ascending")])
    orders_of = joined["_o"].to_numpy()
    starts = np.searchsorted(orders_of, np.arange(n), side="left")
    stops = np.searchsorted(orders_of, np.arange(n), side="right")
    return joined.drop_columns(["_o", "_r"]), list(zip(starts.tolist(), stops.tolist(), strict=True))


def _ascending(first: np.ndarray, then: np.ndarray) -> bool:
    """Rows in ascending (first, then) order (a stable sort on them, then row order, moves none)."""
    return bool(np.all((first[1:] > first[:-1]) | ((first[1:] == first[:-1]) & (then[1:] >= then[:-1]))))


def _first_per_key(index: pa.Table) -> pa.Table:
    first = index.group_by(["partner", "po_number"], use_threads=False).aggregate([("_o", "min")])
    return pa.table({"partner": first["partner"], "po_number": first["po_number"], "_o": first["_o_min"]})


def _unit_eaches(lines: pa.Table, settings: RuleSettings, units: Mapping[tuple[str, str], int]) -> np.ndarray:
    """Eaches per PO103 unit of every line (eaches_per_unit; 1 where the item is not sold in the unit):
    vectorised with the run's units, exactly for the lines of partners whose settings name others."""
    if lines.num_rows == 0:
        return np.zeros(0, dtype=np.int64)
    per_unit = per_unit_column(lines, settings, units)
    out = np.where(np.isnan(per_unit), 1.0, per_unit).astype(np.int64)
    own = np.flatnonzero(partners_with_own_units(lines, settings))
    if len(own):
        cols = [c for c in ("partner", "unit", "sku", "case_pack", *PO4_COLUMNS) if c in lines.column_names]
        picked = lines.select(cols).take(pa.array(own)).to_pylist()
        for i, r in zip(own.tolist(), picked, strict=True):
            out[i] = line_eaches_per_unit(r, units, settings.for_partner(r["partner"])) or 1
    return out


def _decided_table(lines: pa.Table, spans: list[tuple[int, int]], special: dict[int, list[LineDecision]],
                   rejected: list[int], unit_eaches: np.ndarray | None = None) -> pa.Table:
    """LINE_DECISIONS: untouched lines accepted as sent (or IR with their rejected order), the lines
    decided one by one in place. ``unit_eaches``: each line's eaches per PO103 unit (1 on a rejected
    order's lines, as a line decided one by one that is rejected)."""
    n = lines.num_rows
    reject = np.zeros(n, dtype=bool)
    for i in rejected:
        reject[spans[i][0]:spans[i][1]] = True
    keep = np.ones(n, dtype=bool)
    for i in special:
        keep[spans[i][0]:spans[i][1]] = False
    rej = pa.array(reject)
    base = pa.table({
        "partner": lines["partner"], "po_number": lines["po_number"],
        "line_number": pc.cast(lines["line_number"], pa.int32()),
        "ack01": pc.if_else(rej, "IR", "IA"), "action": pc.if_else(rej, "reject_order", "accept"),
        "quantity": pc.cast(lines["quantity"], QTY), "unit_price": pa.nulls(n, PRICE),
        "codes": pa.ListArray.from_arrays(pa.array(np.zeros(n + 1, dtype=np.int32)), pa.array([], pa.string())),
        "reason": pc.if_else(rej, "order rejected", pa.scalar(None, pa.string())),
        "unit_eaches": pa.array(np.where(reject, 1, unit_eaches if unit_eaches is not None else 1)
                                .astype(np.int64), pa.int64()),
        "_pos": pa.array(np.arange(n), pa.int64()),
    })
    if not special:
        return base.drop_columns(["_pos"]).cast(LINE_DECISIONS)
    base = base.filter(pa.array(keep))
    rows = []
    for i, decided in special.items():
        start = spans[i][0]
        partner, po = lines["partner"][start].as_py(), lines["po_number"][start].as_py()
        for k, ld in enumerate(decided):
            rows.append({"partner": partner, "po_number": po, "line_number": ld.line_number, "ack01": ld.ack01,
                         "action": ld.action, "quantity": ld.quantity, "unit_price": ld.unit_price,
                         "codes": list(ld.codes), "reason": ld.reason, "unit_eaches": ld.unit_eaches,
                         "_pos": start + k})
    extra = pa.Table.from_pylist(rows, schema=LINE_DECISIONS.append(pa.field("_pos", pa.int64())))
    both = pa.concat_tables([base.cast(extra.schema), extra]).sort_by("_pos")
    return both.drop_columns(["_pos"]).cast(LINE_DECISIONS)


def _ir_counts(table: pa.Table, spans: list[tuple[int, int]]) -> list[int]:
    ir = np.asarray(pc.equal(table["ack01"], "IR").to_numpy(zero_copy_only=False), dtype=np.int64)
    cum = np.concatenate([[0], np.cumsum(ir)])
    return [int(cum[b] - cum[a]) for a, b in spans]


def _line(row: dict, order: dict, mine: list[tuple[Outcome, Finding]], shared: list[tuple[Outcome, Finding]],
          status: str, person: PersonDecision | None, prices, s: RuleSettings,
          units: Mapping[tuple[str, str], int] | None = None) -> LineDecision:
    qty = row["quantity"]
    per_unit = line_eaches_per_unit(row, units or {}, s)
    if status == REJECTED:
        return LineDecision(row["line_number"], "IR", "reject_order", qty, None, reason="order rejected")
    hits = mine + shared
    if person and person.verdict == "approved":  # a person's approval lifts holds, not line rejections
        hits = [(o, f) for o, f in hits if o.action not in ("hold_line", "hold_order")]
    outcome = strongest([o for o, _ in hits if o.scope == "line"])
    codes = tuple(dict.fromkeys(f.code for _, f in hits))
    reason = join_reasons(f.message for _, f in hits)
    new_qty, new_price = qty, None
    if outcome.action == "change_quantity":
        adjusted = answered_quantity(row, s, per_unit=per_unit)
        if adjusted is None:
            return LineDecision(row["line_number"], "IR", "reject_line", qty, None, codes, reason)
        new_qty = adjusted
    if outcome.action == "change_price":
        each = list_price(prices, row["partner"], row.get("sku") or "", order.get("po_date"), order.get("currency"))
        if each is None:
            return LineDecision(row["line_number"], "IR", "reject_line", qty, None, codes, reason + "; no price")
        # PO104 is per PO103 unit, or per so many of them kept as sent (287.45 TF on a line in FT: ours per 1,000 FT)
        new_price = each * (per_unit or 1) * priced_per(row["unit"], row.get("price_basis"))
    elif "PRICE_MISSING" in codes and not outcome.action.startswith("reject"):
        # no PO104, the line taken as sent (a profile's PRICE_MISSING = "accept": Amazon Direct Fulfillment sends
        # no cost, its 855 knows IA or IR only): our price still applies, as the finding says, or the line is
        # shipped and never invoiced (its 810 has no price to bill)
        each = list_price(prices, row["partner"], row.get("sku") or "", order.get("po_date"), order.get("currency"))
        if each is not None:
            new_price = each * (per_unit or 1) * priced_per(row["unit"], row.get("price_basis"))
    ack01 = outcome.ack01
    if row.get("ordered_sku") and outcome.action in _SUBSTITUTED_ACTIONS:
        # the line ships another part than ordered (rules.business.items.substitute: its ordered_sku, whether or not
        # the partner's rule suites keep ITEM_SUBSTITUTED): IS says so (ACK07.. name it), whatever quantity, price
        # or date change goes with it (ACK02 and PO104 carry those); a hold or rejection still wins
        ack01 = "IS"
    return LineDecision(row["line_number"], ack01, outcome.action, new_qty, new_price, codes, reason,
                        unit_eaches=per_unit or 1)


_SUBSTITUTED_ACTIONS = ("accept", "change_quantity", "change_price", "reschedule")


def _substituted_orders(table: pa.Table, spans: list[tuple[int, int]]) -> set[int]:
    """Positions of the orders with a line decided on a substitute (``ordered_sku`` set): decided line by line,
    so the line is answered IS even with no finding on the order."""
    if "ordered_sku" not in table.column_names or table["ordered_sku"].null_count == table.num_rows:
        return set()
    valid = np.asarray(pc.is_valid(table["ordered_sku"]).to_numpy(zero_copy_only=False), dtype=bool)
    return {i for i, (a, b) in enumerate(spans) if b > a and valid[a:b].any()}

