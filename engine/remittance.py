"""What partners paid and adjusted against the invoices we sent: the REMITTANCE rows of their 820s and 812s
(parsers.remittance) joined to our 810s (INVOICE_MATCH) by invoice number -> REMITTANCE_MATCH, one row per invoice:
paid, short-paid (the difference, the discount and adjustments with their reason codes), over-paid, not paid, paid
but never invoiced by us, or adjusted (an 812, or a deduction an 820 names by its own reference); its KPI counts
(REMITTANCE_KPIS) and its report section. Pure and columnar; no store, no paths, no clock.

Only partners who sent a remittance or an adjustment have rows: of a partner who never sends 820s nothing is known
about payment, and its invoices are not called unpaid.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from engine.html_page import table
from schemas.money_text import amount_text
from schemas.orders import MONEY
from schemas.remittance import REMITTANCE, REMITTANCE_KPIS, REMITTANCE_MATCH, STATUSES

CENT = pa.scalar(0.005, pa.float64())  # a difference under half a cent is none
STATUS_WORDS = {"paid": "paid", "short_paid": "short-paid", "over_paid": "over-paid", "not_paid": "not paid",
                "not_invoiced": "paid but never invoiced by us", "adjusted": "adjusted (812 or deduction)"}
_SET_KEY = ["partner", "isa13", "gs06", "st02", "segment_position"]


def _text(values) -> pa.Array:
    """Money as text with two decimals (half up); "" for null."""
    return pc.fill_null(pc.cast(pc.cast(pc.round(values, 2, "half_up"), pa.decimal128(18, 2)), pa.string()), "")


def once(remittance: pa.Table) -> pa.Table:
    """``remittance`` with each row once (a file taken again, or received twice, brings the same set's rows)."""
    if not remittance.num_rows:
        return remittance
    return _first_of_each(remittance, _SET_KEY)


def _first_of_each(t: pa.Table, keys: list[str]) -> pa.Table:
    """The first row of ``t`` of each value of ``keys``, in their order."""
    first = t.append_column("_i", pa.array(range(t.num_rows), pa.int64())).group_by(
        keys, use_threads=False).aggregate([("_i", "min")])["_i_min"]
    return t.take(pc.take(first, pc.sort_indices(first)))


def described(r: pa.Table) -> pa.Array:
    """Each remittance row in words: "820 trace T paid 5241.50 of 5320.00 on 2026-12-01 (ISA13 000088001 GS06 88002
    ST02 880001, file F)"; "812 debit DM-4471 46.20 on 2026-11-30 (...)"."""
    is_820 = pc.equal(r["set_id"], "820")
    where = pc.binary_join_element_wise(" (ISA13 ", r["isa13"], " GS06 ", r["gs06"], " ST02 ", r["st02"], ", file ",
                                        r["source_file"], ")", "")
    on = pc.if_else(pc.is_valid(r["payment_date"]), pc.binary_join_element_wise(
        " on ", pc.cast(r["payment_date"], pa.string()), ""), "")
    of = pc.if_else(pc.is_valid(r["invoice_amount"]), pc.binary_join_element_wise(
        " of ", _text(r["invoice_amount"]), ""), "")
    paid = pc.binary_join_element_wise("820 trace ", pc.fill_null(r["trace"], "?"), " paid ", _text(r["paid"]), of,
                                       on, where, "")
    adjusted = pc.binary_join_element_wise("812 ", pc.fill_null(r["payment_method"], "adjustment"), " ",
                                           pc.fill_null(r["reference"], "?"), " ", _text(r["payment_total"]), on,
                                           where, "")
    return pc.if_else(is_820, paid, adjusted)


def match_remittance(invoices: pa.Table, remittance: pa.Table, currencies: dict[str, str] | None = None) -> pa.Table:
    """REMITTANCE_MATCH: per invoice of ours (``invoices``: INVOICE_MATCH; the latest sending of an invoice number
    counts) of a partner with rows in ``remittance`` (REMITTANCE), and per document they name we never invoiced,
    sorted by partner and invoice number. Its currency: the first CUR02 of the 820s naming it, else our 810's
    (INVOICE_MATCH: the order's, else the partner's finance currency), else ``currencies``' for the partner (its
    [finance] currency: a document only they name)."""
    r = once(remittance.select(REMITTANCE.names).cast(REMITTANCE))
    if not r.num_rows:
        return REMITTANCE_MATCH.empty_table()
    key = pc.coalesce(r["invoice_number"], r["reference"], "")
    is_820 = pc.equal(r["set_id"], "820")
    side = pa.table({
        "partner": r["partner"], "invoice_number": key, "their_po": r["po_number"],
        "paid": pc.if_else(is_820, r["paid"], pa.scalar(None, MONEY)),
        "invoice_amount": pc.cast(r["invoice_amount"], pa.string()),  # as text: no "last" of decimals
        "discount": r["discount"], "adjustment": r["adjustment"], "reasons": r["reasons"],
        "by_812": pc.if_else(is_820, pa.scalar(None, MONEY), r["adjustment"]),  # not in RMR04 (an ADX is)
        "said": described(r), "paid_on": pc.if_else(is_820, r["payment_date"], pa.scalar(None, pa.date32())),
        "named": pc.cast(pc.fill_null(pc.equal(r["reference_qualifier"], "IV"), False), pa.int64()),
        "currency": r["currency"],  # CUR02 (an 820's)
        "order": pa.array(range(r.num_rows), pa.int64()),
    }).sort_by([("order", "ascending")])
    theirs = side.group_by(["partner", "invoice_number"], use_threads=False).aggregate([
        ("their_po", "first"), ("paid", "sum"), ("invoice_amount", "last"), ("discount", "sum"),
        ("adjustment", "sum"), ("by_812", "sum"), ("reasons", "list"), ("said", "list"), ("paid_on", "max"),
        ("named", "max"), ("paid", "count"), ("adjustment", "count"), ("currency", "first")])
    given = pc.any(pc.is_valid(side["reasons"])).as_py()  # each code once, in the order given (per invoice)
    reason_text = pc.binary_join(pa.array([list(dict.fromkeys(c for v in (vs or []) if v for c in v.split()))
                                           for vs in theirs["reasons_list"].to_pylist()], pa.list_(pa.string())),
                                 " ") if given else pa.nulls(theirs.num_rows, pa.string())
    theirs = pa.table({
        "partner": theirs["partner"], "invoice_number": theirs["invoice_number"],
        "their_po": theirs["their_po_first"],
        "paid": pc.if_else(pc.greater(theirs["paid_count"], 0), pc.cast(theirs["paid_sum"], MONEY),
                          pa.scalar(None, MONEY)),
        "invoice_amount": pc.cast(theirs["invoice_amount_last"], MONEY),
        "discount": pc.cast(theirs["discount_sum"], MONEY),
        "adjustment": pc.if_else(pc.greater(theirs["adjustment_count"], 0), pc.cast(theirs["adjustment_sum"], MONEY),
                                 pa.scalar(None, MONEY)),
        "by_812": pc.cast(theirs["by_812_sum"], MONEY),  # null: no 812
        "reasons": pc.if_else(pc.equal(reason_text, ""), pa.scalar(None, pa.string()), reason_text),
        "remittances": pc.binary_join(theirs["said_list"], "; "), "paid_on": theirs["paid_on_max"],
        "named": theirs["named_max"], "their_currency": theirs["currency_first"],
    })
    partners = pc.unique(r["partner"])
    ours = invoices.filter(pc.is_in(invoices["partner"], value_set=partners)) if invoices.num_rows else invoices
    if ours.num_rows:
        ours = ours.sort_by([("sent_at", "descending")])
        ours = _first_of_each(ours.select(["partner", "invoice_number", "po_number", "invoiced_total", "currency"]),
                              ["partner", "invoice_number"])
        ours = ours.set_column(3, "invoiced_total", pc.cast(ours["invoiced_total"], MONEY))
    else:
        ours = pa.table({"partner": pa.array([], pa.string()), "invoice_number": pa.array([], pa.string()),
                         "po_number": pa.array([], pa.string()), "invoiced_total": pa.array([], MONEY),
                         "currency": pa.array([], pa.string())})
    ours = ours.append_column("ours", pa.repeat(pa.scalar(True), ours.num_rows))
    t = ours.join(theirs, ["partner", "invoice_number"], join_type="full outer", use_threads=False)
    invoiced, paid = t["invoiced_total"], t["paid"]
    # what is still owed: our TDS less what they paid (RMR04: net of its discount and ADX adjustments) and what
    # their 812s debited (a credit adds)
    difference = pc.subtract(pc.subtract(invoiced, pc.fill_null(paid, pa.scalar(0, MONEY))), pc.fill_null(
        t["by_812"], pa.scalar(0, MONEY)))
    difference = pc.if_else(pc.or_(pc.is_valid(paid), pc.is_valid(t["by_812"])), difference,
                            pa.scalar(None, difference.type))
    gap = pc.cast(difference, pa.float64())
    ours_known = pc.is_valid(t["ours"])  # an invoice number we sent
    status = pc.case_when(
        pc.make_struct(
            pc.and_(pc.invert(ours_known), pc.fill_null(pc.equal(t["named"], 1), False)),
            pc.invert(ours_known),
            pc.and_(pc.is_null(paid), pc.is_valid(t["adjustment"])),
            pc.is_null(paid),
            pc.fill_null(pc.less(pc.abs(gap), CENT), True),
            pc.fill_null(pc.greater(gap, 0), False),
        ),
        "not_invoiced", "adjusted", "adjusted", "not_paid", "paid", "short_paid", "over_paid")
    out = pa.table({
        "partner": t["partner"], "invoice_number": t["invoice_number"],
        "po_number": pc.coalesce(t["po_number"], t["their_po"]), "status": status,
        "invoiced_total": invoiced, "paid": paid, "difference": pc.cast(difference, MONEY),
        "invoice_amount": t["invoice_amount"], "discount": t["discount"], "adjustment": t["adjustment"],
        "reasons": t["reasons"], "remittances": t["remittances"], "paid_on": t["paid_on"],
        "currency": pc.coalesce(t["their_currency"], t["currency"], _agreed(t["partner"], currencies)),
    })
    return out.sort_by([("partner", "ascending"), ("invoice_number", "ascending")]).cast(REMITTANCE_MATCH)


def _agreed(partners: pa.ChunkedArray, currencies: dict[str, str] | None) -> pa.Array:
    """Each partner's agreed currency (``currencies``), null where none is known."""
    known = sorted((currencies or {}).items())
    if not known:
        return pa.nulls(len(partners), pa.string())
    at = pc.index_in(partners, value_set=pa.array([p for p, _c in known], pa.string()))
    return pc.take(pa.array([c for _p, c in known], pa.string()), at)


def remittance_kpis(match: pa.Table) -> pa.Table:
    """REMITTANCE_KPIS: per partner, currency (each invoice's, REMITTANCE_MATCH) and status, the invoices and their
    invoiced, paid and difference totals: a partner paying in USD and CAD has a row of each, never a sum of both."""
    if not match.num_rows:
        return REMITTANCE_KPIS.empty_table()
    g = match.group_by(["partner", "currency", "status"], use_threads=False).aggregate([
        ("invoice_number", "count"), ("invoiced_total", "sum"), ("paid", "sum"), ("difference", "sum")])
    t = pa.table({"partner": g["partner"], "currency": g["currency"], "status": g["status"],
                  "invoices": g["invoice_number_count"], "invoiced_total": g["invoiced_total_sum"],
                  "paid": g["paid_sum"], "difference": g["difference_sum"]})
    rank = pc.index_in(t["status"], value_set=pa.array(STATUSES))
    t = t.append_column("_rank", rank).sort_by([("partner", "ascending"), ("currency", "ascending"),
                                                ("_rank", "ascending")])
    return t.drop_columns(["_rank"]).cast(REMITTANCE_KPIS)


def remittance_section(match: pa.Table, *, max_rows: int = 200) -> tuple[str, str, str]:
    """The report's section: per partner the invoices by status; then each invoice not plainly paid."""
    title = "Remittances: what partners paid and adjusted (820, 812)"
    if not match.num_rows:
        return "remittances", title, "<p>No 820 remittance or 812 adjustment was received.</p>"
    k = remittance_kpis(match)
    html = ['<p class="muted">Per invoice in remittances.csv: our 810s of the partners who sent 820 remittances or '
            "812 adjustments, joined by invoice number to what they paid (RMR04), the amount they hold (RMR05), the "
            "discount (RMR06) and adjustments (ADX, 812) with their reason codes.</p>",
            table(["Partner", "Currency", "Status", "Invoices", "Invoiced", "Paid", "Difference"],
                  ([x["partner"], x["currency"] or "", STATUS_WORDS.get(x["status"], x["status"]), x["invoices"],
                    _amount(x, "invoiced_total"), _amount(x, "paid"), _amount(x, "difference")]
                   for x in k.to_pylist()), numeric=range(3, 7), cls="remittance-kpis")]
    open_ = match.filter(pc.not_equal(match["status"], "paid"))
    if open_.num_rows:
        rows = open_.slice(0, max_rows).to_pylist()
        html.append(table(["Partner", "Invoice", "PO", "Status", "Invoiced", "Paid", "Difference", "Discount",
                           "Adjustment", "Currency", "Reasons", "Remittances"],
                          ([x["partner"], x["invoice_number"], x["po_number"] or "",
                            STATUS_WORDS.get(x["status"], x["status"]), _amount(x, "invoiced_total"),
                            _amount(x, "paid"), _amount(x, "difference"), _amount(x, "discount"),
                            _amount(x, "adjustment"), x["currency"] or "", x["reasons"] or "", x["remittances"] or ""]
                           for x in rows), numeric=range(4, 9), cls="remittance-open"))
        if open_.num_rows > len(rows):
            html.append(f'<p class="muted">{open_.num_rows - len(rows):,} more in remittances.csv.</p>')
    return "remittances", title, "".join(html)


def _amount(row: dict, name: str) -> str:
    """A row's amount ``name`` in the row's currency's decimals (a yen invoice whole), thousands separated."""
    return amount_text(row[name], row.get("currency"))
