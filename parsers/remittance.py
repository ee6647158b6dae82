"""Partners' 820 remittances and 812 debit/credit adjustments -> the REMITTANCE table (schemas.remittance): per RMR
of an 820 the document it names (RMR01/RMR02), what it paid (RMR04) of which amount (RMR05), the discount taken
(RMR06), the ADX adjustments of its loop and their reason codes, the REF*PO of its loop, with the set's BPR total,
method and date, TRN trace and CUR currency; per 812 its BCD (number, amount, debit or credit, invoice, PO) and
CDD reason codes. Read columnar from a parsed file (no Python per segment); what a set leaves out is null. An RMR
whose amounts (RMR04-06, its ADX01s) or an 812 whose BCD04 is written but no number is not taken as a payment: a
REMITTANCE_NOT_READ finding names it (read_remittance_checked). Nothing here decides what the figures mean
(engine.remittance). No paths, no clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from parsers.x12_reader import ParseResult
from schemas.findings import Finding, finding
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


def _cents(values: pa.Array) -> pa.Array:
    """Type-N2 texts (BCD04: two implied decimals, "4620" is 46.20) as MONEY; a value written with its point
    ("46.2", IMPLIED_DECIMAL_STATED, which the 997 notes) as the number it states; null where absent or no number."""
    whole = pc.fill_null(pc.match_substring_regex(values, r"^-?[0-9]{1,15}$"), False)
    cents = pc.multiply(pc.cast(pc.if_else(whole, values, pa.scalar(None, pa.string())), pa.decimal128(16, 0)),
                        pa.scalar(Decimal("0.01"), pa.decimal128(3, 2)))
    return pc.coalesce(pc.cast(cents, MONEY),
                       _money(pc.if_else(whole, pa.scalar(None, pa.string()), values)))


def _unread(written: pa.Array, read: pa.Array) -> np.ndarray:
    """Where a value is written but is no number (read as null)."""
    return pc.and_(pc.is_valid(written), pc.is_null(read)).to_numpy(zero_copy_only=False)


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
    an 820's RMRs, then each 812 (a row per set); the RMRs and 812s whose amounts are no numbers left out
    (read_remittance_checked says which)."""
    return read_remittance_checked(result, sets, partner=partner, file=file, sha256=sha256,
                                   received_at=received_at)[0]


def read_remittance_checked(result: ParseResult, sets: Sequence[tuple[Interchange, Group, TransactionSet]], *,
                            partner: str, file: str, sha256: str | None = None,
                            received_at: datetime | None = None) -> tuple[pa.Table, list[Finding]]:
    """read_remittance's rows, and a REMITTANCE_NOT_READ finding for each RMR or 812 left out because an amount
    of it is written but is no number ("1,000", "12O0": a set the 997 did not judge, of a version whose dictionary
    we do not hold; one it judged is refused for it and never read): not taken as a payment of nothing."""
    sets = [s for s in sets if s[2].set_id in READ]
    if not sets:
        return REMITTANCE.empty_table(), []
    c = _Cells(result)
    parts = [_rmr_rows(c, [s for s in sets if s[2].set_id == "820"]),
             _bcd_rows(c, [s for s in sets if s[2].set_id == "812"])]
    parts = [p for p in parts if p is not None and p.num_rows]
    if not parts:
        return REMITTANCE.empty_table(), []
    t = pa.concat_tables(parts)
    bad = t.filter(pc.is_valid(t["_unread"]))
    findings = [finding("REMITTANCE_NOT_READ",
                        f"{r['set_id']} {r['_what']} ({r['reference_qualifier'] or ''} {r['reference'] or ''}): "
                        f"{r['_unread']} {r['_value']!r} is no number, so it is not taken as a payment or "
                        f"adjustment; the set is in the archived file {file} for finance to read.",
                        seg=r["_what"], element=r["_unread"], value=r["_value"], file=file, isa13=r["isa13"],
                        gs06=r["gs06"], st02=r["st02"], segment_position=r["segment_position"],
                        file_segment=r["_row"] + 1)
                for r in bad.sort_by([("_row", "ascending")]).to_pylist()]
    t = t.filter(pc.is_null(t["_unread"]))
    if not t.num_rows:
        return REMITTANCE.empty_table(), findings
    n = t.num_rows
    t = t.append_column("partner", pa.repeat(pa.scalar(partner), n)) \
        .append_column("received_at", pa.repeat(pa.scalar(received_at, pa.timestamp("s")), n)) \
        .append_column("source_file", pa.repeat(pa.scalar(file), n)) \
        .append_column("source_sha256", pa.repeat(pa.scalar(sha256, pa.string()), n))
    t = t.sort_by([("_row", "ascending")])
    return t.select(REMITTANCE.names).cast(REMITTANCE), findings


def _first_unread(n: int, checks: list[tuple[str, pa.Array, np.ndarray]]) -> dict[str, pa.Array]:
    """Per row: the first element ref (and its value) of ``checks`` ((ref, values as written, unread mask)) whose
    value is no number; null for a row whose amounts all read."""
    ref = np.full(n, None, object)
    value = np.full(n, None, object)
    for name, written, mask in reversed(checks):  # the first check wins
        ref[mask] = name
        value[mask] = np.asarray(written.to_pylist(), object)[mask]
    return {"_unread": pa.array(ref, pa.string()), "_value": pa.array(value, pa.string())}


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
    written = {k: c.column(rmr, k) for k in (4, 5, 6)}
    amounts = {k: _money(v) for k, v in written.items()}
    adx_written = c.column(adx, 1)
    adx_amounts = _money(adx_written)
    adx_bad = _unread(adx_written, adx_amounts)
    adx_first = np.full(n, -1, np.int64)  # each RMR's first ADX01 that is no number
    if adx_bad.any():
        bad_of, at = np.unique(adx_of[adx_bad], return_index=True)
        adx_first[bad_of] = np.flatnonzero(adx_bad)[at]
    adx_value = (adx_written.take(pa.array(np.maximum(adx_first, 0), pa.int64())) if len(adx)
                 else pa.nulls(n, pa.string()))
    unread = _first_unread(n, [*((f"RMR0{k}", written[k], _unread(written[k], amounts[k])) for k in (4, 5, 6)),
                               ("ADX01", adx_value, adx_first >= 0)])
    return pa.table({
        **_set_columns(sets, set_of),
        "reference_qualifier": qualifier, "reference": reference,
        "invoice_number": pc.if_else(pc.fill_null(pc.equal(qualifier, "IV"), False), reference,
                                     pa.scalar(None, pa.string())),
        "po_number": po,
        "paid": amounts[4], "invoice_amount": amounts[5], "discount": amounts[6],
        "adjustment": _summed(adx_of, adx_amounts, n),
        "reasons": _joined(adx_of, c.column(adx, 2), n),
        "payment_total": _money(head("BPR", 2)), "payment_method": head("BPR", 4),
        "payment_date": _dates(head("BPR", 16)), "trace": head("TRN", 2), "currency": head("CUR", 2),
        "segment_position": pa.array(rmr - starts[set_of] + 1, pa.int32()),
        "_row": pa.array(rmr, pa.int64()), "_what": pa.repeat(pa.scalar("RMR"), n), **unread,
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
    written = c.column(bcd, 4)
    amount = _cents(written)  # BCD04 is N2 (element 610): "4620" is 46.20
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
        "_row": pa.array(bcd, pa.int64()), "_what": pa.repeat(pa.scalar("BCD"), n),
        **_first_unread(n, [("BCD04", written, _unread(written, amount))]),
    })
