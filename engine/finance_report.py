"""The finance report: value ordered, acknowledged, shipped and invoiced per partner and period with the
variances, the exceptions grouped by partner and type with their amounts, ageing, and what changed
since the previous run -> Arrow tables (the data; the flows write them as CSV and Parquet) and one
self-contained HTML page (the reading). Pure: tables and the run clock in; never reads or writes files.

Definitions:
  period        the PO's period (BEG05 by month "2026-11", ISO week "2026-W48" or day), so a period's
                variances compare the same orders; a line with no PO date takes its first ship or invoice date.
  values        from LINE_MATCH: ordered and acknowledged (cancelled and deleted lines count 0), shipped (at the agreed
                price), invoiced (duplicates left out); variances: acknowledged - ordered, shipped -
                acknowledged, invoiced - shipped. A partner that takes no 855 (FinanceSettings.expects_855
                False: its programme answers orders by 856s and 810s) agrees to its orders as ordered: a line
                of it without an acknowledgment counts its ordered value as acknowledged (else every such line
                read as unacknowledged, and its shipments as shipped beyond what was agreed).
  unresolved    exceptions whose state is open or explained; ageing buckets count them by age_days:
                0-7, 8-30, 31-60, 61-90, over 90.
  changes       against the previous run's exceptions: new, cleared (no longer found), amount changed,
                state changed.
"""

from __future__ import annotations

import io
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import BinaryIO, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from engine.charge_match import APART_WORDS
from engine.columnar import period_labels
from engine.html_page import anchor, e, page, table
from engine.svg_charts import column_chart, hbar_chart
from schemas.money_text import amount_text, money_text
from schemas.order_keys import shown, shown_column
from schemas.orders import MONEY
from schemas.reconciliation import EVIDENCE, EXCEPTION_TYPES, EXCEPTIONS, LINE_MATCH

Period = Literal["month", "week", "day"]
AGE_BUCKETS: tuple[tuple[int, str], ...] = ((0, "0-7 days"), (8, "8-30 days"), (31, "31-60 days"),
                                             (61, "61-90 days"), (91, "over 90 days"))

VALUES = pa.schema([
    pa.field("partner", pa.string(), nullable=False),
    pa.field("period", pa.string(), nullable=False),
    pa.field("currency", pa.string()),
    pa.field("orders", pa.int64(), nullable=False),
    pa.field("lines", pa.int64(), nullable=False),
    pa.field("ordered_value", MONEY, nullable=False),
    pa.field("acknowledged_value", MONEY, nullable=False),
    pa.field("shipped_value", MONEY, nullable=False),
    pa.field("invoiced_value", MONEY, nullable=False),
    pa.field("acknowledged_variance", MONEY, nullable=False),  # acknowledged - ordered
    pa.field("shipped_variance", MONEY, nullable=False),  # shipped - acknowledged
    pa.field("invoiced_variance", MONEY, nullable=False),  # invoiced - shipped
])

# the orders shipped on memo ([fulfilment.invoice] memo_order_types): what shipped, billed by no 810 by agreement
MEMO = pa.schema([
    pa.field("partner", pa.string(), nullable=False),
    pa.field("currency", pa.string()),
    pa.field("orders", pa.int64(), nullable=False),
    pa.field("lines", pa.int64(), nullable=False),
    pa.field("shipped_value", MONEY, nullable=False),
])

EXCEPTION_SUMMARY = pa.schema([
    pa.field("partner", pa.string(), nullable=False),
    pa.field("type", pa.string(), nullable=False),
    pa.field("title", pa.string(), nullable=False),
    pa.field("exceptions", pa.int64(), nullable=False),
    pa.field("amount_at_risk", MONEY, nullable=False),
    pa.field("open", pa.int64(), nullable=False),
    pa.field("explained", pa.int64(), nullable=False),
    pa.field("resolved", pa.int64(), nullable=False),
    pa.field("unresolved_amount", MONEY, nullable=False),  # open + explained
    pa.field("oldest_age_days", pa.int32(), nullable=False),
    # the exceptions' currency (a partner ordering in two, customer_currencies.csv: one row per currency, never
    # summed across); last, so that the columns before it read as they always did
    pa.field("currency", pa.string()),
])

AGEING = pa.schema([
    pa.field("partner", pa.string(), nullable=False),
    pa.field("bucket", pa.string(), nullable=False),
    pa.field("exceptions", pa.int64(), nullable=False),
    pa.field("amount_at_risk", MONEY, nullable=False),
    pa.field("currency", pa.string()),  # as EXCEPTION_SUMMARY's: one row per currency, never summed across
])

CHANGES = pa.schema([
    pa.field("exception_id", pa.string(), nullable=False),
    pa.field("change", pa.string(), nullable=False),  # new, cleared, amount changed, state changed
    pa.field("type", pa.string(), nullable=False),
    pa.field("partner", pa.string(), nullable=False),
    pa.field("po_number", pa.string(), nullable=False),
    pa.field("line_number", pa.int32()),
    pa.field("amount_before", MONEY),
    pa.field("amount_after", MONEY),
    pa.field("state_before", pa.string()),
    pa.field("state_after", pa.string()),
])


@dataclass(frozen=True, slots=True)
class FinanceReport:
    as_of: datetime
    period: Period
    values: pa.Table  # VALUES
    summary: pa.Table  # EXCEPTION_SUMMARY
    ageing: pa.Table  # AGEING
    changes: pa.Table  # CHANGES
    exceptions: pa.Table  # EXCEPTIONS, partner, type, amount (largest first)
    evidence: pa.Table  # EVIDENCE
    has_previous: bool
    # MEMO: per partner and currency, the orders shipped on memo (LINE_MATCH billing "memo"): not billed by agreement
    memo: pa.Table = field(default_factory=lambda: MEMO.empty_table())

    def tables(self) -> dict[str, pa.Table]:
        """The report's data by name (for CSV and Parquet)."""
        return {"values": self.values, "exception_summary": self.summary, "ageing": self.ageing,
                "changes": self.changes, "exceptions": self.exceptions, "evidence": self.evidence}


def build_finance_report(lines: pa.Table, exceptions: pa.Table, evidence: pa.Table | None = None, *,
                         previous: pa.Table | None = None, period: Period = "month",
                         as_of: datetime, values: pa.Table | None = None,
                         no_855: Collection[str] = ()) -> FinanceReport:
    """The report's tables from LINE_MATCH and EXCEPTIONS (with states) and, optionally, the previous
    run's EXCEPTIONS. ``values``: the values table of these very lines and period, when the caller has
    it from an earlier report (it depends on nothing else). ``no_855``: the partners that take no 855
    (their orders agreed as ordered)."""
    lines = lines.select(LINE_MATCH.names).cast(LINE_MATCH)
    exceptions = exceptions.select(EXCEPTIONS.names).cast(EXCEPTIONS)
    evidence = (evidence if evidence is not None else EVIDENCE.empty_table()).select(EVIDENCE.names).cast(EVIDENCE)
    ordered = exceptions.sort_by([("partner", "ascending"), ("type", "ascending"), ("amount_at_risk", "descending"),
                                  ("exception_id", "ascending")])
    values = values if values is not None else _values(lines, period, no_855)
    return FinanceReport(as_of=as_of, period=period, values=values, summary=_summary(exceptions),
                         ageing=_ageing(exceptions), changes=_changes(exceptions, previous), exceptions=ordered,
                         evidence=evidence, has_previous=previous is not None, memo=_memo(lines))


def _memo(lines: pa.Table) -> pa.Table:
    """MEMO from LINE_MATCH: the lines whose billing is "memo", per partner and currency."""
    mine = lines.filter(pc.equal(pc.fill_null(lines["billing"], ""), "memo")) if lines.num_rows else lines
    if not mine.num_rows:
        return MEMO.empty_table()
    t = pa.table({"partner": mine["partner"], "currency": mine["currency"], "po_number": mine["po_number"],
                  "shipped_value": pc.fill_null(mine["shipped_value"], pa.scalar(0, MONEY))})
    g = t.group_by(["partner", "currency"], use_threads=False).aggregate(
        [("po_number", "count_distinct"), ("po_number", "count"), ("shipped_value", "sum")])
    return pa.table({"partner": g["partner"], "currency": g["currency"], "orders": g["po_number_count_distinct"],
                     "lines": g["po_number_count"], "shipped_value": _money_sum(g["shipped_value_sum"])}).cast(
        MEMO).sort_by([("partner", "ascending"), ("currency", "ascending")])


def _money_sum(values: pa.ChunkedArray | pa.Array) -> pa.Array:
    return pc.cast(values, MONEY)


def _values(lines: pa.Table, period: Period, no_855: Collection[str] = ()) -> pa.Table:
    if not lines.num_rows:
        return VALUES.empty_table()
    acknowledged = lines["acknowledged_value"]
    if no_855:  # agreed as ordered where no acknowledgment was sent (none is)
        agreed = pc.and_(pc.is_in(lines["partner"], value_set=pa.array(sorted(no_855), pa.string())),
                         pc.is_null(acknowledged))
        acknowledged = pc.if_else(agreed, lines["ordered_value"], acknowledged)
    when = pc.coalesce(lines["po_date"], pc.cast(lines["first_shipped_at"], pa.date32()), lines["first_invoice_date"])
    label = period_labels(when, period)
    zero = pa.scalar(0, MONEY)
    t = pa.table({
        "partner": lines["partner"], "period": label, "currency": lines["currency"],
        "po_number": lines["po_number"],
        **{c: pc.fill_null(lines[c], zero) for c in ("ordered_value", "shipped_value", "invoiced_value")},
        "acknowledged_value": pc.fill_null(acknowledged, zero),
    })
    g = t.group_by(["partner", "period", "currency"], use_threads=False).aggregate(
        [("po_number", "count_distinct"), ("po_number", "count"), ("ordered_value", "sum"),
         ("acknowledged_value", "sum"), ("shipped_value", "sum"), ("invoiced_value", "sum")])
    ov, av, sv, iv = (_money_sum(g[f"{c}_value_sum"]) for c in ("ordered", "acknowledged", "shipped", "invoiced"))
    out = pa.table({
        "partner": g["partner"], "period": g["period"], "currency": g["currency"],
        "orders": g["po_number_count_distinct"], "lines": g["po_number_count"],
        "ordered_value": ov, "acknowledged_value": av, "shipped_value": sv, "invoiced_value": iv,
        "acknowledged_variance": pc.cast(pc.subtract(av, ov), MONEY),
        "shipped_variance": pc.cast(pc.subtract(sv, av), MONEY),
        "invoiced_variance": pc.cast(pc.subtract(iv, sv), MONEY),
    }).cast(VALUES)
    return out.sort_by([("partner", "ascending"), ("period", "ascending"), ("currency", "ascending")])


def _summary(exceptions: pa.Table) -> pa.Table:
    if not exceptions.num_rows:
        return EXCEPTION_SUMMARY.empty_table()
    state = exceptions["state"]
    unresolved = pc.not_equal(state, "resolved")
    t = pa.table({
        "partner": exceptions["partner"], "type": exceptions["type"], "amount": exceptions["amount_at_risk"],
        **{s: pc.cast(pc.equal(state, s), pa.int64()) for s in ("open", "explained", "resolved")},
        "unresolved_amount": pc.if_else(unresolved, exceptions["amount_at_risk"], pa.scalar(0, MONEY)),
        "age": exceptions["age_days"], "currency": pc.fill_null(exceptions["currency"], ""),
    })
    g = t.group_by(["partner", "type", "currency"], use_threads=False).aggregate(
        [("amount", "count"), ("amount", "sum"), ("open", "sum"), ("explained", "sum"), ("resolved", "sum"),
         ("unresolved_amount", "sum"), ("age", "max")])
    out = pa.table({
        "partner": g["partner"], "type": g["type"],
        "title": pa.array([EXCEPTION_TYPES[k].title if k in EXCEPTION_TYPES else k for k in g["type"].to_pylist()]),
        "exceptions": g["amount_count"], "amount_at_risk": _money_sum(g["amount_sum"]),
        "open": g["open_sum"], "explained": g["explained_sum"], "resolved": g["resolved_sum"],
        "unresolved_amount": _money_sum(g["unresolved_amount_sum"]), "oldest_age_days": g["age_max"],
        "currency": g["currency"],
    }).cast(EXCEPTION_SUMMARY)
    return out.sort_by([("partner", "ascending"), ("type", "ascending"), ("currency", "ascending")])


def _ageing(exceptions: pa.Table) -> pa.Table:
    live = exceptions.filter(pc.fill_null(pc.not_equal(exceptions["state"], "resolved"), True))
    if not live.num_rows:
        return AGEING.empty_table()
    starts = np.array([b for b, _ in AGE_BUCKETS])
    bucket = np.digitize(live["age_days"].to_numpy(zero_copy_only=False), starts) - 1
    labels = pa.array([label for _, label in AGE_BUCKETS]).take(pa.array(np.maximum(bucket, 0)))
    t = pa.table({"partner": live["partner"], "bucket": labels, "order": pa.array(bucket, pa.int64()),
                  "amount": live["amount_at_risk"], "currency": pc.fill_null(live["currency"], "")})
    g = t.group_by(["partner", "bucket", "order", "currency"], use_threads=False).aggregate([("amount", "count"),
                                                                                             ("amount", "sum")])
    g = g.sort_by([("partner", "ascending"), ("currency", "ascending"), ("order", "ascending")])
    return pa.table({"partner": g["partner"], "bucket": g["bucket"], "exceptions": g["amount_count"],
                     "amount_at_risk": _money_sum(g["amount_sum"]), "currency": g["currency"]}).cast(AGEING)


def _changes(current: pa.Table, previous: pa.Table | None) -> pa.Table:
    if previous is None:
        return CHANGES.empty_table()
    previous = previous.select(EXCEPTIONS.names).cast(EXCEPTIONS)
    cols = ["exception_id", "type", "partner", "po_number", "line_number", "amount_at_risk", "state"]
    now = current.select(cols).append_column("_now", pa.array([True] * current.num_rows, pa.bool_()))
    before = previous.select(cols).rename_columns([c if c == "exception_id" else f"{c}_b" for c in cols])
    before = before.append_column("_before", pa.array([True] * previous.num_rows, pa.bool_()))
    both = now.join(before, "exception_id", join_type="full outer", use_threads=False)
    has_now, has_before = pc.is_valid(both["_now"]), pc.is_valid(both["_before"])
    amount_moved = pc.fill_null(pc.not_equal(both["amount_at_risk"], both["amount_at_risk_b"]), False)
    state_moved = pc.fill_null(pc.not_equal(both["state"], both["state_b"]), False)
    change = pc.case_when(
        pc.make_struct(pc.invert(has_before), pc.invert(has_now), amount_moved, state_moved),
        "new", "cleared", "amount changed", "state changed")
    both = both.append_column("change", change).filter(pc.is_valid(change))
    order = pc.case_when(pc.make_struct(*(pc.equal(both["change"], c) for c in ("new", "amount changed",
                                                                               "state changed"))), 0, 1, 2, 3)
    out = pa.table({
        "exception_id": both["exception_id"], "change": both["change"],
        "type": pc.coalesce(both["type"], both["type_b"]), "partner": pc.coalesce(both["partner"], both["partner_b"]),
        "po_number": pc.coalesce(both["po_number"], both["po_number_b"]),
        "line_number": pc.coalesce(both["line_number"], both["line_number_b"]),
        "amount_before": both["amount_at_risk_b"], "amount_after": both["amount_at_risk"],
        "state_before": both["state_b"], "state_after": both["state"], "_order": order,
    })
    out = out.sort_by([("partner", "ascending"), ("_order", "ascending"), ("type", "ascending"),
                       ("po_number", "ascending"), ("line_number", "ascending"), ("exception_id", "ascending")])
    return out.drop_columns(["_order"]).cast(CHANGES)


# --- rendering ------------------------------------------------------------------------------------


_FORMULA_START = pa.array(["=", "+", "-", "@", "\t", "\r"], pa.string())
# rows Arrow's CSV writer converts at a time: the same bytes as its default (1,024), ~15% less time on a night's
# 200,000 lines
CSV_BATCH_ROWS = 16_384
# (s52: 65,536 and 262,144 rows were no faster on the night's lines.csv, 200,000 rows x 27 columns: 0.41-0.46 s at
# 16,384 against 0.48-0.82; most of the writer's time is its formatting of the decimal128 columns, which a column
# cast to text first would change: Arrow's writer quotes text cells)


def _po(key: str | None) -> str | None:
    """An order key as the report shows it (schemas.order_keys.shown: "PO-1 release 2")."""
    return shown(key) if key else key


def to_csv(data: pa.Table) -> bytes:
    """A table as CSV a spreadsheet opens safely (write_csv's bytes)."""
    out = io.BytesIO()
    write_csv(data, out)
    return out.getvalue()


def write_csv(data: pa.Table, sink: BinaryIO) -> None:
    """A table as CSV a spreadsheet opens safely, written to ``sink`` (a binary file object) as it is
    encoded: UTF-8 with BOM, CRLF, and text cells that a spreadsheet would take for a formula (= + - @
    TAB CR first, as engine.report_failures.neutralise_cell) prefixed with a quote. Number, date and time
    columns are written as they are: a number is never a formula."""
    columns = []
    for name, column in zip(data.column_names, data.columns, strict=True):
        if name == "po_number" and pa.types.is_string(column.type):
            column = shown_column(column)  # a release held as an order of its own: "PO-1 release 2"
        if (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)) and len(column):
            first = pc.utf8_slice_codeunits(column, 0, 1)
            risky = pc.is_in(first, value_set=_FORMULA_START.cast(column.type))  # a null cell: False
            if pc.any(risky).as_py():  # only a column holding such a cell is rewritten
                column = pc.if_else(risky, pc.binary_join_element_wise("'", column, ""), column)
        columns.append(column)
    sink.write(b"\xef\xbb\xbf")  # the BOM makes Excel read UTF-8
    pacsv.write_csv(pa.table(columns, names=data.column_names), sink,
                    pacsv.WriteOptions(eol="\r\n", quoting_header="none", batch_size=CSV_BATCH_ROWS))


def _amount(value, currency: str | None = None) -> str:
    """An amount with thousands separators and its currency's decimals (none named: two; a yen amount whole),
    rounded half up (schemas.money_text.amount_text)."""
    return amount_text(value, currency)


def _of(row: Mapping, name: str) -> str:
    """A row's amount ``name`` in the row's currency's decimals (_amount)."""
    return _amount(row[name], row.get("currency"))


def render_html(report: FinanceReport, *, title: str = "OrderBridge finance report", generated_at: str = "",
                max_rows: int = 200, max_changes: int = 500, sections: Sequence[tuple[str, str, str]] = ()) -> str:
    """The report as one self-contained page. ``max_rows`` caps the exceptions listed per partner and
    type, ``max_changes`` the changes since the previous run (the CSV files hold them all; the page
    says how many more). ``sections``: more (anchor, title, HTML) sections shown after the changes
    (documents_section, trend_section, history_section)."""
    s = report.summary.to_pylist()
    several = _several_currencies(s)  # partners whose amounts are labelled by currency (each one's rows apart)
    unresolved = unresolved_by_currency(report.exceptions)
    partners = sorted({r["partner"] for r in s} | set(report.values["partner"].to_pylist()))
    kind = report.changes["change"]
    counts = {c: int(pc.sum(pc.cast(pc.equal(kind, c), pa.int64())).as_py() or 0) for c in ("new", "cleared")}
    changes = report.changes.slice(0, max_changes).to_pylist()
    more_changes = report.changes.num_rows - len(changes)
    body = [
        '<div class="cards">',
        f'<div class="card" id="card-exceptions"><b>{len(report.exceptions)}</b>'
        f'exception{"" if len(report.exceptions) == 1 else "s"}</div>',
        f'<div class="card" id="card-unresolved"><b>{e(amounts_text(unresolved))}</b>unresolved amount at risk'
        "</div>",
        f'<div class="card" id="card-open"><b>{sum(r["open"] for r in s)}</b>open</div>',
        *([f'<div class="card" id="card-new"><b>{counts["new"]}</b>new since the previous run</div>',
           f'<div class="card" id="card-cleared"><b>{counts["cleared"]}</b>cleared since the previous run</div>']
          if report.has_previous else []),
        "</div>",
        "<nav><ul>" + "".join(f'<li><a href="#{anchor("partner", p)}">{e(p)}</a></li>' for p in partners)
        + '<li><a href="#values">Value per period</a></li><li><a href="#ageing">Ageing</a></li>'
        + '<li><a href="#changes">Changes</a></li>'
        + "".join(f'<li><a href="#{e(a)}">{e(t)}</a></li>' for a, t, _ in sections) + "</ul></nav>",
        '<h2 id="values">Value per partner and period</h2>',
        f'<p class="muted">Period: the PO\'s {report.period}. Variances: acknowledged - ordered, shipped - '
        "acknowledged, invoiced - shipped.</p>",
        table(["Partner", "Period", "Currency", "Orders", "Lines", "Ordered", "Acknowledged", "Shipped", "Invoiced",
               "Ack - ordered", "Shipped - ack", "Invoiced - shipped"],
              ([r["partner"], r["period"], r["currency"], r["orders"], r["lines"],
                *(_of(r, c) for c in ("ordered_value", "acknowledged_value", "shipped_value", "invoiced_value",
                                          "acknowledged_variance", "shipped_variance", "invoiced_variance"))]
               for r in report.values.to_pylist()), numeric=range(3, 12), cls="values"),
        *(['<h2 id="memo">Shipped on memo: not billed by agreement</h2>',
           '<p class="muted">Orders of a type the partner\'s [fulfilment.invoice] memo_order_types ships on memo '
           "(consignment, BEG02 CN): their 856 went and no 810, by agreement; the retailer pays for what it sells "
           "(its sales report or replenishment order bills it). Their shipped value is in Shipped above, not in "
           "Invoiced, and no shipped-not-invoiced exception is raised for them.</p>",
           table(["Partner", "Currency", "Orders", "Lines", "Shipped on memo"],
                 ([r["partner"], r["currency"], r["orders"], r["lines"], _of(r, "shipped_value")]
                  for r in report.memo.to_pylist()), numeric=(2, 3, 4), cls="memo")] if report.memo.num_rows else []),
        '<h2 id="summary">Exceptions by partner and type</h2>',
        _risk_chart(s, partners, several),
        table(["Partner", "Exception", "Count", "Amount at risk", "Open", "Explained", "Resolved", "Unresolved amount",
               "Oldest (days)"],
              ([r["partner"], r["title"], r["exceptions"], _in(r["amount_at_risk"], r, several), r["open"],
                r["explained"], r["resolved"], _in(r["unresolved_amount"], r, several), r["oldest_age_days"]]
               for r in s),
              numeric=(2, 3, 4, 5, 6, 7, 8), cls="summary"),
        '<h2 id="ageing">Ageing of unresolved exceptions</h2>',
        _ageing_table(report.ageing, several),
        '<h2 id="changes">What changed since the previous run</h2>',
        (table(["Change", "Partner", "Exception", "PO", "Line", "Amount before", "Amount after", "State before",
                "State after", "Id"],
               ([r["change"], r["partner"], _title(r["type"]), _po(r["po_number"]), r["line_number"],
                 _of(r, "amount_before"), _of(r, "amount_after"), r["state_before"], r["state_after"],
                 r["exception_id"]] for r in changes), numeric=(4, 5, 6), cls="changes")
         + (f'<p class="muted">{more_changes:,} more changes in changes.csv (the first {len(changes):,} are '
            "listed).</p>" if more_changes else "")
         if changes else f"<p>{'Nothing changed.' if report.has_previous else 'No previous run to compare with.'}</p>"),
    ]
    body.extend(f'<h2 id="{e(a)}">{e(t)}</h2>{html}' for a, t, html in sections)
    body.extend(_partner_sections(report, partners, max_rows))
    return page(title, body, generated_at=generated_at,
                subtitle=f"As of {report.as_of:%Y-%m-%d %H:%M} (run clock).")


def unresolved_by_currency(exceptions: pa.Table) -> dict[str, Decimal]:
    """The amount at risk of the open and explained exceptions, per currency (never summed across)."""
    live = exceptions.filter(pc.fill_null(pc.not_equal(exceptions["state"], "resolved"), True))
    if not live.num_rows:
        return {}
    t = pa.table({"currency": pc.fill_null(live["currency"], ""), "amount": live["amount_at_risk"]})
    sums = t.group_by("currency", use_threads=False).aggregate([("amount", "sum")]).to_pylist()
    return {r["currency"]: Decimal(r["amount_sum"]) for r in sorted(sums, key=lambda r: r["currency"])}


def amounts_text(amounts: dict[str, Decimal]) -> str:
    """ "4,796.66 USD + 231.96 CAD" (0.00 when empty)."""
    return " + ".join(f"{_amount(v, c)} {c}".strip() for c, v in amounts.items()) or "0.00"


def _several_currencies(summary: list[dict]) -> set[str]:
    """The partners whose exceptions are in more than one currency (customer_currencies.csv): their amounts are
    shown per currency, labelled; every other partner's as they always were."""
    seen: dict[str, set[str]] = {}
    for r in summary:
        seen.setdefault(r["partner"], set()).add(r.get("currency") or "")
    return {p for p, c in seen.items() if len(c) > 1}


def _in(amount, row: dict, several: set[str]) -> str:
    """An amount, with its currency for a partner whose amounts are in several."""
    money = _amount(amount, row.get("currency"))
    return f"{money} {row.get('currency') or ''}".rstrip() if row["partner"] in several else money


def _label(partner: str, currency: str, several: set[str]) -> str:
    return f"{partner} ({currency or '?'})" if partner in several else partner


def _risk_chart(summary: list[dict], partners: list[str], several: set[str] = frozenset()) -> str:
    """Unresolved amount at risk per exception type, one bar per partner (per partner and currency for a partner
    whose exceptions are in several: never two currencies in one bar)."""
    kinds = sorted({r["type"] for r in summary})
    if not kinds:
        return ""
    amount = {(r["partner"], r.get("currency") or "", r["type"]): float(r["unresolved_amount"]) for r in summary}
    series = [(p, c) for p in partners
              for c in (sorted({r.get("currency") or "" for r in summary if r["partner"] == p}) if p in several
                        else [None])]
    chart = hbar_chart("Unresolved amount at risk", [_title(k) for k in kinds],
                       [(_label(p, c or "", several),
                         [sum(v for (pp, cc, kk), v in amount.items() if pp == p and kk == k and c in (None, cc))
                          for k in kinds]) for p, c in series],
                       decimals=2, label_width=300, width=760, chart_id="chart-risk")
    return f'<div class="chart"><figure>{chart}</figure></div>'


def _title(kind: str) -> str:
    return EXCEPTION_TYPES[kind].title if kind in EXCEPTION_TYPES else kind


def _ageing_table(ageing: pa.Table, several: set[str] = frozenset()) -> str:
    if not ageing.num_rows:
        return "<p>No unresolved exceptions.</p>"
    cells: dict[str, dict[str, tuple[int, object]]] = {}
    currency: dict[str, str | None] = {}  # each row's currency (one per row: a partner in several has a row each)
    for r in ageing.to_pylist():  # a partner in several currencies: one row per currency, never summed across
        key = _label(r["partner"], r.get("currency") or "", several)
        currency[key] = r.get("currency")
        was = cells.setdefault(key, {}).get(r["bucket"])
        cells[key][r["bucket"]] = ((r["exceptions"], r["amount_at_risk"]) if was is None
                                   else (was[0] + r["exceptions"], was[1] + r["amount_at_risk"]))
    labels = [label for _, label in AGE_BUCKETS]
    rows = []
    for partner, by in sorted(cells.items()):
        rows.append([partner, *(f"{by[b][0]} / {_amount(by[b][1], currency[partner])}" if b in by else ""
                                for b in labels)])
    return table(["Partner", *labels], rows, numeric=range(1, len(labels) + 1), cls="ageing") + \
        '<p class="muted">Each cell: exceptions / amount at risk.</p>'


def _partner_sections(report: FinanceReport, partners: list[str], max_rows: int) -> list[str]:
    out: list[str] = []
    ex = report.exceptions  # sorted partner, type, amount (largest first)
    summary = report.summary.to_pylist()
    several = _several_currencies(summary)
    totals: dict[tuple[str, str], tuple[int, str]] = {}
    for r in summary:  # per partner and type: the count, and the amount (per currency, labelled, for a partner in
        count, text = totals.get((r["partner"], r["type"]), (0, ""))  # several: never summed across)
        text = f"{text} + {_in(r['amount_at_risk'], r, several)}" if text else _in(r["amount_at_risk"], r, several)
        totals[(r["partner"], r["type"])] = (count + r["exceptions"], text)
    n = ex.num_rows
    if n:
        key = pc.binary_join_element_wise(ex["partner"], ex["type"], "\x1f").to_numpy(zero_copy_only=False)
        starts = np.r_[0, np.flatnonzero(key[1:] != key[:-1]) + 1]
        rank = np.arange(n) - np.repeat(starts, np.diff(np.r_[starts, n]))
        shown = ex.take(pa.array(np.flatnonzero(rank < max_rows), pa.int64())).to_pylist()
    else:
        shown = []
    groups: dict[tuple[str, str], list[dict]] = {}
    for r in shown:
        groups.setdefault((r["partner"], r["type"]), []).append(r)
    for k in totals:
        groups.setdefault(k, [])
    ids = pa.array([r["exception_id"] for r in shown], pa.string())
    ev = report.evidence.filter(pc.is_in(report.evidence["exception_id"], value_set=ids)) if len(ids) else \
        report.evidence.slice(0, 0)
    evidence: dict[str, list[str]] = {}
    currency_of = {r["exception_id"]: r.get("currency") for r in shown}
    for d in ev.to_pylist():
        parts = [d["role"], d["doc_type"], d["document_ref"]]
        if d["quantity"] is not None:
            parts.append(f"qty {d['quantity'].normalize():f}")
        if d["unit_price"] is not None:
            parts.append(f"@ {money_text(d['unit_price'], currency_of.get(d['exception_id']))}")  # 25.70
        if d["code"]:
            parts.append(d["code"])
        where = f"ISA13 {d['isa13']} GS06 {d['gs06']} ST02 {d['st02']}, {d['file']}" if d["isa13"] is not None \
            else d["file"]  # a CSV acknowledgment: no envelope, its file alone
        evidence.setdefault(d["exception_id"], []).append(
            f"{e(' '.join(str(p) for p in parts if p))} <small>({e(where)})</small>")
    for partner in partners:
        out.append(f'<section id="{anchor("partner", partner)}"><h2>Partner {e(partner)}</h2>')
        kinds = sorted(k for (p, k) in groups if p == partner)
        if not kinds:
            out.append("<p>No exceptions.</p>")
        for kind in kinds:
            rows = groups[(partner, kind)]
            count, total = totals[(partner, kind)]
            info = EXCEPTION_TYPES.get(kind)
            out.append(f'<h3 id="{anchor(partner, kind)}">{e(_title(kind))}: {count}, '
                       f'{e(total)} at risk</h3>')
            if info:
                out.append(f'<p class="muted">{e(info.meaning)} Amount: {e(info.amount)}. Age from the '
                           f"{e(info.since)}.</p>")
            body = []
            for r in rows[:max_rows]:
                state = f'<span class="state-{e(r["state"])}">{e(r["state"])}</span>'
                if r["state_by"]:
                    state += f"<br><small>{e(r['state_by'])}: {e(r['state_note'])}</small>"
                line = r["line_number"] if r["line_number"] is not None else ""
                body.append([f"<code>{e(r['exception_id'])}</code>", _po(r["po_number"]), line, r["message"],
                             _in(r["amount_at_risk"], r, several), r["age_days"], state,
                             "<br>".join(evidence.get(r["exception_id"], []))])
            out.append(table(["Id", "PO", "Line", "What", "Amount at risk", "Age (days)", "State", "Evidence"], body,
                             numeric=(4, 5), raw=(0, 6, 7), cls="exceptions"))
            if count > len(rows):
                out.append(f"<p class=\"muted\">{count - len(rows)} more in exceptions.csv.</p>")
        out.append("</section>")
    return out


# --- more sections: our documents as partners acknowledged them, the runs, the history -------------
_LISTED = ["rejected", "overdue", "accepted_with_errors"]  # the documents listed with the partner's reasons


def documents_section(status: pa.Table, *, max_rows: int = 200) -> tuple[str, str, str]:
    """Partners' 997/999 verdicts on our documents (DOCUMENT_STATUS): counts per partner and document
    type, then every rejected, overdue or accepted-with-errors document with the partner's reasons (an
    AK5/IK5 E or AK9 E takes the document but notes errors we are to mend before the next one)."""
    kinds = ("accepted", "accepted_with_errors", "rejected", "overdue", "pending")
    if status.num_rows and pc.any(pc.equal(status["status"], "not_expected")).as_py():
        kinds += ("not_expected",)  # a partner who sends no 997s: its column only where there is one
    counts: dict[tuple[str, str], dict[str, int]] = {}
    if status.num_rows:  # counted column-wise: one row per partner, document type and status
        for r in status.group_by(["partner", "doc_type", "status"], use_threads=False).aggregate(
                [("status", "count")]).to_pylist():
            counts.setdefault((r["partner"], r["doc_type"]), dict.fromkeys(kinds, 0))[r["status"]] += r["status_count"]
    html = [table(["Partner", "Document", *(k.replace("_", " ") for k in kinds)],
                  ([p, d, *(c[k] for k in kinds)] for (p, d), c in sorted(counts.items())),
                  numeric=range(2, 2 + len(kinds)), cls="document-status") if status.num_rows
            else "<p>No document of ours was sent.</p>"]
    bad = status.filter(pc.is_in(status["status"], value_set=pa.array(_LISTED))).slice(
        0, max_rows).to_pylist() if status.num_rows else []
    if bad:
        html.append(table(["Partner", "Document", "Reference", "ISA13 / GS06 / ST02", "File", "Sent", "Status",
                           "Partner's reasons"],
                          ([r["partner"], r["doc_type"], r["document_ref"], f"{r['isa13']} / {r['gs06']} / {r['st02']}",
                            r["file"], f"{r['sent_at']:%Y-%m-%d %H:%M}", r["status"].replace("_", " "),
                            r["reasons"] or (f"no 997 by {r['due_at']:%Y-%m-%d %H:%M}" if r["status"] == "overdue"
                                             else "")] for r in bad), cls="document-problems"))
    return "documents", "Our documents as partners acknowledged them", "".join(html)


def invoices_section(invoices: pa.Table, *, max_rows: int = 200) -> tuple[str, str, str]:
    """Our invoices as finance ties them (INVOICE_MATCH): per partner and currency, the 810s' lines value,
    SAC charges and allowances and TDS (an 810 recorded by its lines alone: its charges and TDS unknown,
    counted apart); then every 810 whose TDS is not its lines + charges - allowances."""
    if not invoices.num_rows:
        return "invoices", "Invoices: lines, charges, allowances and totals", "<p>No invoice was sent.</p>"
    zero = pa.scalar(0, MONEY)
    known = pc.is_valid(invoices["invoiced_total"])

    def ours(column: str) -> pa.ChunkedArray | pa.Array:  # the 810s whose totals we hold: 0 for the others
        return pc.if_else(known, pc.fill_null(invoices[column], zero), zero)

    t = pa.table({
        "partner": invoices["partner"], "currency": pc.fill_null(invoices["currency"], ""),
        "known": pc.cast(known, pa.int64()), "lines_value": ours("lines_value"), "charges": ours("charges"),
        "allowances": ours("allowances"), "taxes": ours("taxes"), "invoiced_total": ours("invoiced_total"),
        "mismatch": pc.cast(pc.fill_null(pc.not_equal(invoices["difference"], zero), False), pa.int64()),
        "recorded": pc.cast(pc.invert(known), pa.int64()),
        "recorded_value": pc.if_else(known, zero, invoices["lines_value"]),
    })
    g = t.group_by(["partner", "currency"], use_threads=False).aggregate(
        [(c, "sum") for c in ("known", "lines_value", "charges", "allowances", "taxes", "invoiced_total", "mismatch",
                              "recorded", "recorded_value")]).sort_by([("partner", "ascending"),
                                                                       ("currency", "ascending")])
    # a Taxes column where an 810 carries a tax (TXI: GST/HST/QST, sales tax - in TDS, never a charge)
    taxes_head = ["Taxes"] if pc.any(pc.not_equal(t["taxes"], zero)).as_py() else []
    html = ['<p class="muted">Per 810 in invoices.csv: its lines (quantity x price, each half up to cents, as the '
            "line reconciliation matched them), its SAC charges and allowances and its TDS as sent; TDS should be "
            f"lines + charges - allowances{' + taxes' if taxes_head else ''}. An 810 another system of ours sent, "
            "recorded by its lines, has no known charges or TDS: counted apart.</p>",
            table(["Partner", "Currency", "Invoices", "Lines value", "Charges", "Allowances", *taxes_head, "TDS",
                   "TDS mismatches", "Recorded by lines", "Their lines value"],
                  ([r["partner"], r["currency"], r["known_sum"], _of(r, "lines_value_sum"),
                    _of(r, "charges_sum"), _of(r, "allowances_sum"),
                    *([_of(r, "taxes_sum")] if taxes_head else []),
                    _of(r, "invoiced_total_sum"), r["mismatch_sum"], r["recorded_sum"],
                    _of(r, "recorded_value_sum")] for r in g.to_pylist()),
                  numeric=range(2, 10 + len(taxes_head)), cls="invoice-totals")]
    bad = invoices.filter(pc.fill_null(pc.not_equal(invoices["difference"], zero), False))
    if bad.num_rows:
        rows = bad.slice(0, max_rows).to_pylist()
        html.append(table(["Partner", "PO", "Invoice", "Date", "Lines value", "Charges", "Allowances", *taxes_head,
                           "Lines + charges - allowances" + (" + taxes" if taxes_head else ""), "TDS", "Difference",
                           "File"],
                          ([r["partner"], _po(r["po_number"]), r["invoice_number"], r["invoice_date"],
                            _of(r, "lines_value"), _of(r, "charges"), _of(r, "allowances"),
                            *([_of(r, "taxes")] if taxes_head else []),
                            _of(r, "expected_total"), _of(r, "invoiced_total"), _of(r, "difference"),
                            r["file"]] for r in rows), numeric=range(4, 10 + len(taxes_head)),
                          cls="invoice-mismatches"))
        if bad.num_rows > len(rows):
            html.append(f'<p class="muted">{bad.num_rows - len(rows):,} more in invoices.csv.</p>')
    return "invoices", "Invoices: lines, charges, allowances and totals", "".join(html)


_KIND_WORDS = {"A": "allowance", "C": "charge"}  # SAC01
_FLAG_WORDS = {
    "allowance_not_taken": "allowance promised, not taken", "allowance_short": "allowance taken short",
    "allowance_over": "allowance over the promise", "allowance_billed_twice": "allowance settled apart, taken too",
    "allowance_not_agreed": "allowance nobody named", "charge_not_allowed": "charge not allowed",
    "charge_over": "charge over the PO's", "charge_short": "charge under the PO's",
    "charge_not_billed": "charge allowed, not billed",
    "allowance_not_as_agreed": "allowance not as agreed", "charge_not_as_agreed": "charge not as agreed",
}


def charges_section(charges: pa.Table, *, max_rows: int = 200) -> tuple[str, str, str]:
    """The charge reconciliation (CHARGE_MATCH, engine.charge_match): per partner, currency and flag, how many
    SAC allowances and charges of POs invoiced and their differences; then each flagged one (the rest, that
    tie, in charges.csv)."""
    title = "Charges and allowances: what the POs promised, what our invoices billed"
    if not charges.num_rows:
        return "charges", title, "<p>No PO invoiced carries a SAC allowance or charge, promised or billed.</p>"
    zero = pa.scalar(0, MONEY)
    t = pa.table({
        "partner": charges["partner"], "currency": pc.fill_null(charges["currency"], ""),
        "flag": pc.fill_null(charges["flag"], ""), "one": pa.array([1] * charges.num_rows, pa.int64()),
        "promised": pc.fill_null(charges["expected_on_invoice"], zero), "billed": charges["billed_value"],
        "difference": pc.fill_null(charges["difference"], zero),
    })
    g = t.group_by(["partner", "currency", "flag"], use_threads=False).aggregate(
        [(c, "sum") for c in ("one", "promised", "billed", "difference")]).sort_by(
        [("partner", "ascending"), ("currency", "ascending"), ("flag", "ascending")])
    html = ['<p class="muted">Per PO invoiced and SAC02 in charges.csv: what its 850 promised (SAC05, else its '
            "SAC07 percent of the invoiced value of its line or PO; SAC12 says whether the invoice carries it: 01 bill "
            "back, 03, 04, 09 and 10 settle it apart, 05 and 11 are not the customer's to pay), what our 810s billed "
            "(their SAC05) and the difference. A charge neither the PO nor the partner's agreement (its invoice "
            "charges) names is not allowed; an allowance promised off the invoice and not taken is deducted by the "
            "retailer. SAC13 is the PO's deal or promotion number, which the retailer's deduction or bill back "
            "names.</p>",
            table(["Partner", "Currency", "Outcome", "Allowances and charges", "Expected on invoices", "Billed",
                   "Difference"],
                  ([r["partner"], r["currency"], _FLAG_WORDS.get(r["flag"], "ties"), r["one_sum"],
                    _of(r, "promised_sum"), _of(r, "billed_sum"), _of(r, "difference_sum")]
                   for r in g.to_pylist()), numeric=range(3, 7), cls="charge-totals")]
    bad = charges.filter(pc.is_valid(charges["flag"]))
    if bad.num_rows:
        rows = bad.slice(0, max_rows).to_pylist()
        html.append(table(["Partner", "PO", "Kind", "SAC02", "Description", "SAC13 deal", "SAC12", "Promised",
                           "Expected on invoices", "Billed", "Difference", "Invoices", "Outcome", "Note"],
                          ([r["partner"], _po(r["po_number"]), _KIND_WORDS.get(r["kind"], r["kind"]),
                            r["code"] or "", r["description"] or "", r["reference"] or "", r["handling"] or "",
                            _of(r, "promised_value"), _of(r, "expected_on_invoice"),
                            _of(r, "billed_value"),
                            _of(r, "difference"), r["invoices"] or "", _FLAG_WORDS.get(r["flag"], r["flag"]),
                            r["note"]] for r in rows), numeric=range(7, 11), cls="charge-flags"))
        if bad.num_rows > len(rows):
            html.append(f'<p class="muted">{bad.num_rows - len(rows):,} more in charges.csv.</p>')
    apart = charges.filter(pc.and_(pc.equal(charges["kind"], "A"), pc.is_in(
        pc.fill_null(charges["handling"], ""), value_set=pa.array(sorted(APART_WORDS), pa.string()))))
    if apart.num_rows:  # owed all the same: claimed by the buyer or credited by us, never a short payment
        rows = apart.slice(0, max_rows).to_pylist()
        html.append("<p>Allowances the POs settle apart from the invoice (SAC12): not deducted from the invoices' "
                    "payment, but owed all the same: a bill back (01) the buyer claims by its own bill-back invoice "
                    "or debit memo, a check (03) or account credit (04) we issue, one issued by the vendor (09) or "
                    "the reseller (10).</p>")
        html.append(table(["Partner", "PO", "SAC02", "Description", "SAC13 deal", "SAC12", "Promised", "Billed",
                           "Outcome", "Note"],
                          ([r["partner"], _po(r["po_number"]), r["code"] or "", r["description"] or "",
                            r["reference"] or "", f"{r['handling']} {APART_WORDS[r['handling']][0]}",
                            _of(r, "promised_value"), _of(r, "billed_value"),
                            _FLAG_WORDS.get(r["flag"], r["flag"]) if r["flag"] else "settled apart", r["note"]]
                           for r in rows), numeric=range(6, 8), cls="charge-apart"))
        if apart.num_rows > len(rows):
            html.append(f'<p class="muted">{apart.num_rows - len(rows):,} more in charges.csv.</p>')
    return "charges", title, "".join(html)


def trend_section(runs: Sequence[dict]) -> tuple[str, str, str]:
    """Each reconciliation's totals (table `reconciliations`) with a chart of the unresolved amount."""
    if not runs:
        return "runs", "Reconciliations", "<p>No reconciliation yet.</p>"
    amounts = [{c: Decimal(v) for c, v in json.loads(r["amount_at_risk"] or "{}").items()} for r in runs]
    currencies = sorted({c for a in amounts for c in a})
    chart = column_chart("Unresolved amount at risk per run", [r["run_id"] for r in runs],
                         [(c or "amount", [float(a.get(c, 0)) for a in amounts]) for c in currencies or [""]],
                         decimals=2, chart_id="chart-trend")
    rows = ([r["run_id"], r["as_of"], r["lines"], r["exceptions"], r["unresolved"], amounts_text(a),
             r["new_exceptions"], r["cleared_exceptions"], r["rejected_documents"], r["overdue_documents"]]
            for r, a in zip(runs, amounts, strict=True))
    return "runs", "Reconciliations", (
        f'<div class="chart"><figure>{chart}</figure></div>'
        + table(["Run", "As of", "Lines", "Exceptions", "Unresolved", "Unresolved amount", "New", "Cleared",
                 "Rejected documents", "Overdue documents"], rows, numeric=range(2, 10), cls="runs"))


def history_section(history: Sequence[dict] | pa.Table, *, max_rows: int = 500) -> tuple[str, str, str]:
    """State changes of the exceptions, newest first: people's (wall clock) and orderbridge's (run clock).
    ``history``: the changes in the order they happened, as dicts or a table (only its last rows read)."""
    n = history.num_rows if isinstance(history, pa.Table) else len(history)
    if not n:
        return "history", "Exception history", "<p>No state change yet.</p>"
    latest = history.slice(max(n - max_rows, 0)).to_pylist() if isinstance(history, pa.Table) else \
        history[max(n - max_rows, 0):]
    rows = ([h["at"], h["clock"], h["exception_id"], h["action"], h["from_state"] or "", h["to_state"], h["actor"],
             h["note"] or ""] for h in list(reversed(latest)))
    more = f'<p class="muted">{n - max_rows} older changes in exception_history.csv.</p>' \
        if n > max_rows else ""
    return "history", "Exception history", table(["At", "Clock", "Exception", "Action", "From", "To", "By", "Note"],
                                                 rows, cls="history") + more
