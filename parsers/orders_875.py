"""X12 875 Grocery Products Purchase Order (functional group OG; the UCS grocery order) into the canonical order tables
the 850 reader fills (schemas.orders ORDERS, ORDER_LINES, ORDER_SACS).

An 875 says what an 850 says in other segments: G50 (BEG), N9 (REF), G61 (PER), G62 (DTM), the N1 loop as the 850's,
G68 (PO1), G69 (PID), G20 (PO4), G76 (the summary's totals). Each such segment is written, at its own row, as the 850
segment that says the same (``as_850``), and the 850 reader (parsers.orders_850) reads the sets so rewritten: every
column, its lineage (file, ISA13 / GS06 / ST02, each segment's position in the set and in the file) and every rule
downstream are the 850's. What the 875 says that no column takes is never dropped without a word: ORDER_875_NOT_CARRIED
(a warning at the segment and element) names it. Pure: no paths, no I/O.

Translation (4010 / 4010UCS element positions, the 850's in brackets):

- G50 -> BEG: G5001 order status (element 473) N original -> BEG01 "00", F cancel -> "01" (a cancellation, as an
  850's), any other status (R change, D delete, A informational, S future dated ...) kept as sent, so the purpose
  rule holds the order for a person (ORDER_PURPOSE_UNSUPPORTED, its message naming BEG01 as the 850 reading);
  G5007 purchase order type (BEG02; "SA" when not sent: the 875 is a stand-alone order); G5003 PO number (BEG03);
  G5002 PO date (BEG05).
- N9 -> REF (N901/N902/N903 as REF01/REF02/REF03).
- G61 -> PER (G6101..G6104 as PER01..PER04).
- G62 -> DTM where its G6201 date qualifier (element 432) names a date the order keeps (``DATE_QUALIFIERS``): 01 cancel
  after, 02 delivery requested, 10 requested ship, 37 ship not before, 38 ship no later, 53/54 deliver not
  before / no later. G6204 (time) as DTM03.
- G68 -> PO1: the line's number, an 875 line having none, is its place in the set (1, 2, ...); G6801 quantity,
  G6802 unit, G6803 item list cost (the unit price); G6804, the U.P.C. case code, as the pair UA (code list 235:
  U.P.C./EAN case code 2-5-5), then the pairs G6805/G6806 and G6807/G6808.
- G69 -> PID*F (free-form description).
- G20 -> PO4 (pack, size, unit: G2001..G2003 as PO401..PO403).
- N1, N2, N3, N4, NTE: the 850's own segments.
- G76 -> CTT: CTT01 the number of G68 lines the set holds, CTT02 (hash total) G7601, the total quantity as sent. A
  G7601 other than the sum of the G68 quantities is ORDER_875_NOT_CARRIED at G7601 (the lines are read as sent).
  G7608, the buyer's total amount (N2), becomes an AMT*TT row only where the 850 reader looks for one: not carried.

Not carried (ORDER_875_NOT_CARRIED): G66 (transportation instructions), G23 (terms of sale: the partner's terms are
the reference data's), G72/G73 (allowances and charges), G70 (line miscellany), G62 with another qualifier, G68's
price bracket, quantity cost and price list (G6809..G6815), G76's weight, volume and amount.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal, InvalidOperation

import numpy as np
import pyarrow as pa

from parsers.x12_reader import ParseResult
from schemas.findings import Finding, finding
from schemas.x12 import Group, Interchange, SegmentTable, TransactionSet

SET_ID = "875"
# G6201 (data element 432, date qualifier) -> the DTM01 (374) the 850 reader keeps the date by
DATE_QUALIFIERS = {"01": "001", "02": "002", "10": "010", "37": "037", "38": "038", "53": "064", "54": "063"}
_PURPOSES = {"N": "00", "F": "01"}  # G5001 (473) N original, F cancel -> BEG01 (353) 00 original, 01 cancellation
_SAME = frozenset({"N1", "N2", "N3", "N4", "NTE", "SE"})
_NOT_CARRIED = {
    "G66": "transportation instructions",
    "G23": "terms of sale (the partner's terms are taken from its reference data)",
    "G72": "an allowance or charge",
    "G73": "an allowance or charge description",
    "G70": "line item miscellany (pack, price reason, terms exception)",
}
_G68_EXTRA = {9: "price bracket", 10: "quantity cost", 11: "quantity cost unit", 12: "price list number",
              13: "price list issue", 14: "pre-price quantity", 15: "retail pre-price"}
_G76_EXTRA = {3: "weight", 5: "volume", 7: "order sizing factor", 8: "total amount", 9: "price bracket",
              10: "payment method"}

Sets = list[tuple[Interchange, Group, TransactionSet]]


def _el(row: list[str], k: int) -> str:
    return row[k] if len(row) > k else ""


def _trimmed(pairs: list[str]) -> list[str]:
    while pairs and pairs[-1] == "":
        pairs.pop()
    return pairs


def _quantity(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except (InvalidOperation, ValueError):
        return None


def as_850(result: ParseResult, sets: Sets) -> tuple[ParseResult, Sets, list[Finding]]:
    """(the parse with the rows of the given 875 sets written as the 850 segments that say the same, each at its own
    row; the sets as 850s; ORDER_875_NOT_CARRIED findings for what no 850 column takes). The envelopes, the other
    rows and every other set are the parse's own."""
    if not sets:
        return result, [], []
    seg = result.segments
    rows_at: list[int] = []
    new_rows: list[list[str]] = []
    findings: list[Finding] = []
    out_sets: Sets = []
    for ic, g, ts in sets:
        where = dict(file=result.file, isa13=ic.control_number, gs06=g.control_number, st02=ts.control_number)

        def skipped(what: str, row: int, seg_id: str, element: str = "", value: str | None = None,
                    _where=where, _start=ts.start) -> None:
            findings.append(finding("ORDER_875_NOT_CARRIED", f"The 875's {what} ({element or seg_id}) is not carried "
                                    "into the order: see it in the file.", seg=seg_id, element=element, value=value,
                                    segment_position=row - _start + 1, file_segment=row + 1, **_where))

        body = seg.rows(ts.start, ts.end)
        lines = [r for r in body if r and r[0] == "G68"]
        line_no = 0
        for offset, row in enumerate(body):
            at = ts.start + offset
            sid = row[0] if row else ""
            new: list[str] | None = None
            if sid == "ST":
                new = ["ST", "850", *row[2:]]
            elif sid == "G50":
                status = _el(row, 1)
                new = ["BEG", _PURPOSES.get(status, status), _el(row, 7) or "SA", _el(row, 3), "", _el(row, 2)]
            elif sid == "N9":
                new = _trimmed(["REF", _el(row, 1), _el(row, 2), _el(row, 3)])
            elif sid == "G61":
                new = _trimmed(["PER", *(_el(row, k) for k in range(1, 5))])
            elif sid == "G62":
                qualifier = _el(row, 1)
                if qualifier in DATE_QUALIFIERS and _el(row, 2):
                    new = _trimmed(["DTM", DATE_QUALIFIERS[qualifier], _el(row, 2), _el(row, 4)])
                elif qualifier or _el(row, 2):
                    skipped(f"date qualified {qualifier or '(none)'}", at, "G62", "G6201", qualifier)
            elif sid == "G68":
                line_no += 1
                pairs = (["UA", _el(row, 4)] if _el(row, 4) else []) + [_el(row, k) for k in range(5, 9)]
                new = _trimmed(["PO1", str(line_no), _el(row, 1), _el(row, 2), _el(row, 3), "", *pairs])
                for k, what in _G68_EXTRA.items():
                    if _el(row, k):
                        skipped(what, at, "G68", f"G68{k:02d}", _el(row, k))
            elif sid == "G69":
                new = ["PID", "F", "", "", "", _el(row, 1)]
            elif sid == "G20":
                new = _trimmed(["PO4", _el(row, 1), _el(row, 2), _el(row, 3)])
                for k in range(4, 10):
                    if _el(row, k):
                        skipped("item packing detail", at, "G20", f"G20{k:02d}", _el(row, k))
            elif sid == "G76":
                new = _trimmed(["CTT", str(len(lines)), _el(row, 1)])
                total = _quantity(_el(row, 1))
                ordered = [_quantity(_el(r, 1)) for r in lines]
                if total is not None and None not in ordered and sum(ordered, Decimal(0)) != total:
                    skipped(f"total quantity, not the sum of its lines' ({sum(ordered, Decimal(0))})", at, "G76",
                            "G7601", _el(row, 1))
                for k, what in _G76_EXTRA.items():
                    if _el(row, k):
                        skipped(f"order {what}", at, "G76", f"G76{k:02d}", _el(row, k))
            elif sid in _NOT_CARRIED:
                skipped(_NOT_CARRIED[sid], at, sid)
            elif sid not in _SAME:
                skipped("segment", at, sid or "?")
            if new is not None:
                rows_at.append(at)
                new_rows.append(new)
        out_sets.append((ic, g, replace(ts, set_id="850")))
    return rows_rewritten(result, rows_at, new_rows), out_sets, findings


def rows_rewritten(result: ParseResult, rows_at: list[int], new_rows: list[list[str]]) -> ParseResult:
    """``result`` with its segment rows ``rows_at`` replaced by ``new_rows`` (each row in its place; the envelopes,
    the other rows and the reader's findings its own): how a grocer's 875 is read as an 850 and its 876 as an 860."""
    if not rows_at:
        return result
    seg = result.segments
    index = np.arange(len(seg), dtype=np.int64)
    index[np.array(rows_at, dtype=np.int64)] = len(seg) + np.arange(len(rows_at), dtype=np.int64)
    written = pa.array(new_rows, type=seg.elements.type)
    elements = pa.concat_arrays([seg.elements, written]).take(pa.array(index))
    return ParseResult(file=result.file, interchanges=result.interchanges,
                       segments=SegmentTable(elements=elements, component=seg.component),
                       findings=result.findings, encoding=result.encoding)
