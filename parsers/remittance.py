"""Partners' 820 remittances and 812 debit/credit adjustments -> the REMITTANCE table (schemas.remittance): per RMR
of an 820 the document it names (RMR01/RMR02), what it paid (RMR04) of which amount (RMR05), the discount taken
(RMR06), the ADX adjustments of its loop and their reason codes, the REF*PO of its loop, with the set's BPR total,
method and date, TRN trace and CUR currency; per 812 its BCD (number, amount, debit or credit, invoice, PO) and
CDD reason codes. Read columnar from a parsed file (no Python per segment); what a set leaves out is null. Nothing
here decides what the figures mean (engine.remittance). No paths, no clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from parsers.x12_reader import ParseResult
from schemas.orders import MONEY
from schemas.remittance import REMITTANCE
from schemas.x12 import Group, Interchange, TransactionSet

READ = ("820", "812")  # the sets read here; others are kept as received only
# segments that end an RMR loop (its REF, DTM and ADX come before the next of them)
_RMR_ENDS = ("RMR", "ENT", "NM1", "N1", "SE", "TXP", "DED", "LX")
# X12 type R: a decimal, its point where it falls (at most 14 digits before it, MONEY; at most 10 after)
_AMOUNT = r"^-?([0-9]{1,14}(\.[0-9]{0,10})?|\.[0-9]{1,10})$"


class _Cells:
    """Element ``k`` of segment rows, read from the flat elements in place (no list taken per segment)."""

    def __init__(self, result: ParseResult) -> None:
        lists = result.segments.elements
        if isinstance(lists, pa.ChunkedArray):
            lists = lists.combine_chunks()
        self.lists = lists
        self.offsets = lists.offsets.to_numpy(zero_copy_only=False)
        self.ids = result.segments.ids
        self.rows_of = result.segments.rows_of

    def column(self, rows: np.ndarray, k: int) -> pa.Array:
        """Element ``k`` of each row, trimmed; null where absent or empty."""
        rows = np.asarray(rows, np.int64)
        if not len(rows) or not len(self.lists.values):
            return pa.nulls(len(rows), pa.string())
        start = self.offsets[rows]
        ok = self.offsets[rows + 1] - start > k
        values = pc.utf8_trim_whitespace(self.lists.values.take(pa.array(np.where(ok, start + k, 0), pa.int64())))
        keep = ok & pc.fill_null(pc.not_equal(values, ""), False).to_numpy(zero_copy_only=False)
        return pc.if_else(pa.array(keep), values, pa.scalar(None, pa.string()))


def _money(values: pa.Array) -> pa.Array:
    """Type-R texts as MONEY (decimal128(18, 4), half up); null where absent or not a number."""
    ok = pc.fill_null(pc.match_substring_regex(values, _AMOUNT), False)
    text = pc.if_else(ok, values, pa.scalar(None, pa.string()))
    # "5241.5" and ".5": a point needs digits before it for the cast
    text = pc.replace_substring_regex(text, r"^(-?)\.", r"\10.")
    return pc.cast(pc.round(pc.cast(text, pa.decimal128(38, 10)), 4, "half_up"), MONEY)


def _dates(values: pa.Array) -> pa.Array:
    ok = pc.fill_null(pc.match_substring_regex(values, r"^[0-9]{8}$"), False)
    text = pc.if_else(ok, values, pa.scalar(None, pa.string()))
    return pc.cast(pc.strptime(text, "%Y%m%d", "s", error_is_null=True), pa.date32())


def _owner(rows: np.ndarray, heads: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each of ``rows``: the index of the head (of ``heads``, ascending) whose span [head, end) holds it, and
    whether one does."""
    at = np.searchsorted(heads, rows, side="right") - 1
    ok = at >= 0
    if len(heads):
        ok &= rows < ends[np.maximum(at, 0)]
    else:
        ok[:] = False
    return np.maximum(at, 0), ok


def _first_in(rows: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first of ``rows`` (ascending) inside each span [start, end]: (row, whether there is one)."""
    at = np.searchsorted(rows, starts, side="left")
    ok = at < len(rows)
    row = rows[np.minimum(at, max(len(rows) - 1, 0))] if len(rows) else np.zeros(len(starts), np.int64)
    return row, ok & (row <= ends)


def _placed(owners: pa.Array, values: pa.Array, n: int) -> pa.Array:
    """``values`` (one per owner of ``owners``, distinct indexes) at their owners' places 0..n-1; null elsewhere."""
    return values.take(pc.index_in(pa.array(np.arange(n), pa.int64()), value_set=owners))


def _joined(owner: np.ndarray, values: pa.Array, n: int) -> pa.Array:
    """Per owner 0..n-1: its ``values`` (non-null), space-separated in order; null for none."""
    t = pa.table({"o": pa.array(owner, pa.int64()), "v": values}).filter(pc.is_valid(values))
    if not t.num_rows:
        return pa.nulls(n, pa.string())
    g = t.group_by("o", use_threads=False).aggregate([("v", "list")])
    return _placed(g["o"].combine_chunks(), pc.binary_join(g["v_list"], " ").combine_chunks(), n)


def _summed(owner: np.ndarray, amounts: pa.Array, n: int) -> pa.Array:
    t = pa.table({"o": pa.array(owner, pa.int64()), "v": amounts}).filter(pc.is_valid(amounts))
    if not t.num_rows:
        return pa.nulls(n, MONEY)
    g = t.group_by("o", use_threads=False).aggregate([("v", "sum")])
    return pc.cast(_placed(g["o"].combine_chunks(), g["v_sum"].combine_chunks(), n), MONEY)


def read_remittance(result: ParseResult, sets: Sequence[tuple[Interchange, Group, TransactionSet]], *,
                    partner: str, file: str, sha256: str | None = None,
                    received_at: datetime | None = None) -> pa.Table:
    """REMITTANCE rows of the 820 and 812 sets among ``sets`` (the sets taken without processing), in file order:
    an 820's RMRs, then each 812 (a row per set)."""
    sets = [s for s in sets if s[2].set_id in READ]
    if not sets:
        return REMITTANCE.empty_table()
    c = _Cells(result)
    parts = [_rmr_rows(c, [s for s in sets if s[2].set_id == "820"]),
             _bcd_rows(c, [s for s in sets if s[2].set_id == "812"])]
    parts = [p for p in parts if p is not None and p.num_rows]
    if not parts:
        return REMITTANCE.empty_table()
    t = pa.concat_tables(parts)
    n = t.num_rows
    t = t.append_column("partner", pa.repeat(pa.scalar(partner), n)) \
        .append_column("received_at", pa.repeat(pa.scalar(received_at, pa.timestamp("s")), n)) \
        .append_column("source_file", pa.repeat(pa.scalar(file), n)) \
        .append_column("source_sha256", pa.repeat(pa.scalar(sha256, pa.string()), n))
    t = t.sort_by([("_row", "ascending")])
    return t.select(REMITTANCE.names).cast(REMITTANCE)


def _set_columns(sets, set_of: np.ndarray) -> dict[str, pa.Array]:
    take = pa.array(set_of, pa.int64())
    return {"set_id": pa.array([s[2].set_id for s in sets]).take(take),
            "isa13": pa.array([s[0].control_number for s in sets]).take(take),
            "gs06": pa.array([s[1].control_number for s in sets]).take(take),
            "st02": pa.array([s[2].control_number for s in sets]).take(take)}


def _rmr_rows(c: _Cells, sets) -> pa.Table | None:
    if not sets:
        return None
    starts = np.array([s[2].start for s in sets], np.int64)
    ends = np.array([s[2].end for s in sets], np.int64)
    rmr = c.rows_of("RMR")
    set_of, inside = _owner(rmr, starts, ends + 1)
    rmr, set_of = rmr[inside], set_of[inside]
    if not len(rmr):
        return None
    # each RMR loop runs to the next segment that ends it (_RMR_ENDS), at most to its set's SE
    stops = np.sort(np.concatenate([c.rows_of(s) for s in _RMR_ENDS]))
    nxt = np.searchsorted(stops, rmr, side="right")
    loop_end = np.minimum(np.where(nxt < len(stops), stops[np.minimum(nxt, max(len(stops) - 1, 0))],
                                   np.iinfo(np.int64).max), ends[set_of] + 1)
    n = len(rmr)
    refs = c.rows_of("REF")
    ref_of, ref_ok = _owner(refs, rmr, loop_end)
    ref_ok &= pc.fill_null(pc.equal(c.column(refs, 1), "PO"), False).to_numpy(zero_copy_only=False)
    refs, ref_of = refs[ref_ok], ref_of[ref_ok]
    first_of, first = np.unique(ref_of, return_index=True)  # the loop's first REF*PO
    po = _placed(pa.array(first_of, pa.int64()), c.column(refs[first], 2), n)
    adx = c.rows_of("ADX")
    adx_of, adx_ok = _owner(adx, rmr, loop_end)
    adx, adx_of = adx[adx_ok], adx_of[adx_ok]

    heads = {}
    for seg in ("BPR", "TRN", "CUR"):
        row, ok = _first_in(c.rows_of(seg), starts, ends)
        heads[seg] = (row, ok)

    def head(seg: str, k: int) -> pa.Array:
        row, ok = heads[seg]
        values = c.column(row, k) if len(row) else pa.nulls(len(sets), pa.string())
        return pc.if_else(pa.array(ok), values, pa.scalar(None, pa.string())).take(pa.array(set_of, pa.int64()))

    qualifier = c.column(rmr, 1)
    reference = c.column(rmr, 2)
    return pa.table({
        **_set_columns(sets, set_of),
        "reference_qualifier": qualifier, "reference": reference,
        "invoice_number": pc.if_else(pc.fill_null(pc.equal(qualifier, "IV"), False), reference,
                                     pa.scalar(None, pa.string())),
        "po_number": po,
        "paid": _money(c.column(rmr, 4)), "invoice_amount": _money(c.column(rmr, 5)),
        "discount": _money(c.column(rmr, 6)),
        "adjustment": _summed(adx_of, _money(c.column(adx, 1)), n),
        "reasons": _joined(adx_of, c.column(adx, 2), n),
        "payment_total": _money(head("BPR", 2)), "payment_method": head("BPR", 4),
        "payment_date": _dates(head("BPR", 16)), "trace": head("TRN", 2), "currency": head("CUR", 2),
        "segment_position": pa.array(rmr - starts[set_of] + 1, pa.int32()),
        "_row": pa.array(rmr, pa.int64()),
    })


def _bcd_rows(c: _Cells, sets) -> pa.Table | None:
    if not sets:
        return None
    starts = np.array([s[2].start for s in sets], np.int64)
    ends = np.array([s[2].end for s in sets], np.int64)
    bcd, ok = _first_in(c.rows_of("BCD"), starts, ends)
    keep = np.flatnonzero(ok)
    if not len(keep):
        return None
    sets = [sets[i] for i in keep]
    starts, ends, bcd = starts[keep], ends[keep], bcd[keep]
    n = len(sets)
    set_of = np.arange(n)
    cdd = c.rows_of("CDD")
    cdd_of, cdd_ok = _owner(cdd, starts, ends + 1)
    n9 = c.rows_of("N9")
    n9_of, n9_ok = _owner(n9, starts, ends + 1)
    n9_ok &= pc.fill_null(pc.equal(c.column(n9, 1), "PO"), False).to_numpy(zero_copy_only=False)
    first_of, first = np.unique(n9_of[n9_ok], return_index=True)  # the set's first N9*PO
    n9_po = _placed(pa.array(first_of, pa.int64()), c.column(n9[n9_ok][first], 2), n)
    amount = _money(c.column(bcd, 4))
    flag = c.column(bcd, 5)  # BCD05: C credit, D debit
    debit = pc.fill_null(pc.equal(flag, "D"), False)
    signed = pc.if_else(debit, pc.negate(amount), amount)
    invoice = c.column(bcd, 7)
    return pa.table({
        **_set_columns(sets, set_of),
        "reference_qualifier": pc.if_else(pc.is_valid(invoice), pa.scalar("IV"), pa.scalar(None, pa.string())),
        "reference": c.column(bcd, 2), "invoice_number": invoice,
        "po_number": pc.coalesce(c.column(bcd, 10), n9_po),
        "paid": pa.nulls(n, MONEY), "invoice_amount": pa.nulls(n, MONEY), "discount": pa.nulls(n, MONEY),
        "adjustment": pc.cast(signed, MONEY),
        "reasons": _joined(cdd_of[cdd_ok], c.column(cdd[cdd_ok], 1), n),
        "payment_total": amount, "payment_method": pc.if_else(debit, pa.scalar("debit"), pc.if_else(
            pc.fill_null(pc.equal(flag, "C"), False), pa.scalar("credit"), pa.scalar(None, pa.string()))),
        "payment_date": _dates(c.column(bcd, 1)), "trace": c.column(bcd, 2), "currency": pa.nulls(n, pa.string()),
        "segment_position": pa.array(bcd - starts + 1, pa.int32()),
        "_row": pa.array(bcd, pa.int64()),
    })
