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

- G72 -> SAC (g72_as_sac): before the first G68 the order's, in a G68 loop its line's (the 850 reader's heading and
  PO1-loop SACs); SAC01 by the 340 code's range, SAC02 the 1300 code it names (the partner's g72_codes, else the
  built-in table its 880s are written by), G7208 amount, G7209 percent, G7205 rate, G7206/G7207 quantity and unit,
  G7202 handling, G7203 deal number, G7211 option; its first G73 as SAC15.

Not carried (ORDER_875_NOT_CARRIED): G66 (transportation instructions), G23 (terms of sale: the partner's terms are
the reference data's), a G72 whose 340 code names no SAC02 we know (at G7201), G7204 and G7210, a subline's G72
(after an SLN), G70 (line miscellany), G62 with another qualifier, G68's price bracket, quantity cost and price
list (G6809..G6815: the item list cost G6803 is the line's price), G76's weight, volume and amount.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal, InvalidOperation

import numpy as np
import pyarrow as pa

from parsers.x12_reader import ParseResult
from schemas.findings import Finding, finding
from schemas.grocery_invoice import g72_kind, g72_sacs
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
    "G73": "an allowance or charge description (past the first of its G72's, SAC15)",
    "G70": "line item miscellany (pack, price reason, terms exception)",
}
# G68 elements no column takes (X12 004010 G68: G6803 item list cost is "gross unit cost within the appropriate price
# bracket", the price read; G6809 "identifier assigned by the vendor for a specific price bracket", in its price book;
# G6810/G6811 the cost per another unit "whenever unit is different than the quantity ordered"; the 875 and 876 carry
# no other price bracket segment)
_G68_EXTRA = {9: "price bracket identifier, the vendor's price book bracket its item list cost (G6803, read as the "
                 "price) is of: not checked against our prices",
              10: "quantity cost, the cost per another unit (G6811): not read, the price is G6803 per G6802",
              11: "quantity cost unit", 12: "price list number", 13: "price list issue", 14: "pre-price quantity",
              15: "retail pre-price"}
_G76_EXTRA = {3: "weight", 5: "volume", 7: "order sizing factor", 8: "total amount", 9: "price bracket",
              10: "payment method"}

Sets = list[tuple[Interchange, Group, TransactionSet]]
# G72 elements no SAC element takes: named ORDER_87x_NOT_CARRIED at the element when sent
_G72_EXTRA = {4: "allowance exception number", 10: "dollar basis for the percent"}
G73_TEXT = 80  # SAC15 (352): AN 1/80


def g72_as_sac(row: list[str], described: str, sacs: Mapping[tuple[str, str], str]
               ) -> tuple[list[str] | None, list[tuple[str, str, str]]]:
    """The SAC that says what a grocer's G72 (X12 004010 / 005010: G7201 340 allowance or charge code, G7202 331
    method of handling, G7203 allowance number, G7204 exception number, G7205 rate, G7206 quantity, G7207 its
    unit, G7208 total amount N2, G7209 percent, G7210 dollar basis for the percent, G7211 option number) says, and
    what it cannot say: ((SAC or None), [(what, element, value)]). SAC01 A for a 340 code 1-499, C for 500-999
    (X12: "codes 1-499 identify allowances, while 500-999 identify charges"); SAC02 the 1300 code the 340 code names
    (``sacs``: schemas.grocery_invoice.g72_sacs of the partner's [fulfilment.invoice] g72_codes and the built-in
    SAC_TO_G7201, the same map its 880s are written by); SAC05 G7208, SAC07 G7209, SAC08 G7205, SAC09 G7207, SAC10
    G7206, SAC12 G7202 (the same code list 331), SAC13 G7203 (the deal number), SAC14 G7211 (the same element 770),
    SAC15 ``described`` (its first G73). A 340 code no SAC02 is known for, a tax's (501, 526, 537) and a code that is no
    number are not read (None): named at G7201, with the g72_codes key that would read it."""
    code = _el(row, 1)
    kind = g72_kind(code)
    sac02 = sacs.get((kind, code)) if kind in ("A", "C") else None
    if sac02 is None:
        if kind == "T":
            what = f"tax (allowance or charge code {code})"
        elif kind:
            what = (f"allowance or charge code {code}, which names no SAC02 we know (the partner's "
                    f'[fulfilment.invoice] g72_codes "{kind}:<SAC02>" = "{code}" reads it)')
        else:
            what = f"allowance or charge code {code or '(none)'}, no code of list 340 (1-499, 500-999)"
        return None, [(what, "G7201", code)]
    extra = [(what, f"G72{k:02d}", _el(row, k)) for k, what in _G72_EXTRA.items() if _el(row, k)]
    sac = ["SAC", kind, sac02, "", "", _el(row, 8), "", _el(row, 9), _el(row, 5), _el(row, 7), _el(row, 6), "",
           _el(row, 2), _el(row, 3), _el(row, 11), described[:G73_TEXT]]
    return _trimmed(sac), extra


def described_by(body: list[list[str]], offset: int) -> str:
    """The text of the G73 right after the G72 at ``offset`` of ``body`` ("" for none): the allowance's SAC15."""
    following = body[offset + 1] if offset + 1 < len(body) else []
    return _el(following, 1) if following and following[0] == "G73" else ""


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


def as_850(result: ParseResult, sets: Sets, sacs: Mapping[tuple[str, str], str] | None = None
           ) -> tuple[ParseResult, Sets, list[Finding]]:
    """(the parse with the rows of the given 875 sets written as the 850 segments that say the same, each at its own
    row; the sets as 850s; ORDER_875_NOT_CARRIED findings for what no 850 column takes). The envelopes, the other
    rows and every other set are the parse's own. ``sacs``: (SAC01, G7201) -> SAC02 a G72 is read by
    (schemas.grocery_invoice.g72_sacs of the partner's g72_codes; the built-in table's when None)."""
    if not sets:
        return result, [], []
    sacs = g72_sacs(None) if sacs is None else sacs
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
        in_sln = False  # past a G68 loop's SLN: its G72s are the subline's (not carried)
        taken: set[int] = set()  # the offsets of G73s read into their G72's SAC15
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
            elif sid == "G72" and not in_sln:
                new = _g72_read(row, body, offset, sacs, taken, lambda what, el, value, _at=at: skipped(
                    what, _at, "G72", el, value))
            elif sid == "G73" and offset in taken:
                pass  # (its G72's SAC15)
            elif sid == "G68":
                line_no += 1
                in_sln = False
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
            elif sid == "G72":
                skipped("subline's allowance or charge", at, sid)
            elif sid in _NOT_CARRIED:
                skipped(_NOT_CARRIED[sid], at, sid)
            elif sid not in _SAME:
                in_sln = in_sln or sid == "SLN"
                skipped("segment", at, sid or "?")
            if new is not None:
                rows_at.append(at)
                new_rows.append(new)
        out_sets.append((ic, g, replace(ts, set_id="850")))
    return rows_rewritten(result, rows_at, new_rows), out_sets, findings


def _g72_read(row: list[str], body: list[list[str]], offset: int, sacs: Mapping[tuple[str, str], str],
              taken: set[int], skipped) -> list[str] | None:
    """The SAC of the G72 at ``offset`` of ``body`` (g72_as_sac, its G73 as SAC15, that G73's offset added to
    ``taken``), each element it cannot carry ``skipped`` (what, element, value)."""
    described = described_by(body, offset)
    sac, not_read = g72_as_sac(row, described, sacs)
    for what, element, value in not_read:
        skipped(what, element, value or None)
    if sac is not None and described:
        taken.add(offset + 1)
    return sac


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
