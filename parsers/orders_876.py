"""X12 876 Grocery Products Purchase Order Change (functional group OG, as the 875 it changes) into the canonical change
tables the 860 reader fills (schemas.changes CHANGE_HEADERS, ORDER_CHANGES, CHANGE_SACS).

An 876 says what an 860 says in other segments and in another way: the 876 restates the values that change rather
than coding each change (X12: "changes are accomplished by restating the value of the data elements to be changed
... if an item is to be deleted, the quantity ordered is restated to zero"), and its G68 lines carry no line number:
each names its item by the U.P.C. case code (G6804) or its id pairs. Each segment is written, at its own row, as the
860 segment that says the same (``as_860``), and the 860 reader (parsers.orders_860) reads the sets so rewritten, with
their lineage (file, ISA13 / GS06 / ST02, each segment's position in the set and in the file). engine.changes applies
them as an 860's, a restated line naming no line of the order being an added one (CHANGE_HEADERS set_id "876"). What
the 876 says that no column takes is never dropped without a word: ORDER_876_NOT_CARRIED (a warning at the segment
and element) names it. Pure: no paths, no I/O.

Translation (4010 / 4010UCS element positions, the 860's in brackets):

- G92 -> BCH: G9201 change type (code list 670) CF "cancel previously transmitted purchase order" -> BCH01 "01" (the
  whole order cancelled); any other (CA changes to line items, QD, QI, PC, AI, DI ... as grocers' guides send it: the
  lines restate what changes) -> "04" change; BCH02 "SA" (the 876 has no order type); G9203 PO number (BCH03);
  G9202 the PO's date (BCH06).
- N9 -> REF, G61 -> PER, G62 -> DTM (the 875's date qualifiers: parsers.orders_875.DATE_QUALIFIERS), G69 -> PID*F,
  G20 -> PO4, N1, N2, N3, N4, NTE: as the 875 reads them.
- G68 -> POC: POC01 empty (the line is named by its item: engine.changes._find_poc), POC02 "DI" when G6801 restates
  the quantity to zero or G9201 is DI (delete items: each G68 names one, whatever quantity it restates), else "CA"
  (quantity and price restated: whichever is sent is applied, the same values change nothing); G6801 (POC03),
  G6802 (POC05), G6803 (POC06), G6804 as the pair UA, then G6805/G6806 and G6807/G6808 as POC08.. pairs.
- G76 -> CTT: CTT01 the number of G68 lines, CTT02 G7601.
- G72 (+ its first G73) -> SAC as the 875 reads it (parsers.orders_875.g72_as_sac): before the first G68 a change of
  the order's allowances and charges, in a G68 loop of that item's (the line the item names: engine.changes
  resolves the POC loop's SACs to it, sac_lines). Restated, as X12 says the 876 changes: a G72 replaces the order's
  of its kind and SAC02 at its level (G7202 12 cancels it), what it does not restate stays.

Not carried (ORDER_876_NOT_CARRIED): G66, G23, a G72 whose 340 code names no SAC02 we know (at G7201), G7204 and
G7210, a subline's G72, G70, SLN and a G68 loop's N1/QTY (store quantities), G62 with another qualifier, G68's price
bracket, quantity cost and price list (G6809..G6815: the 876 restates the item list cost, G6803, which is applied; a
price bracket names the bracket of the vendor's price list that cost is of, and no price of its own), G20's
measures, G76's weight, volume and amount.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from parsers.orders_875 import (
    _G68_EXTRA,
    _G76_EXTRA,
    _NOT_CARRIED,
    DATE_QUALIFIERS,
    Sets,
    _el,
    _g72_read,
    _quantity,
    _trimmed,
    g72_sacs,
    rows_rewritten,
)
from parsers.x12_reader import ParseResult
from schemas.findings import Finding, finding

SET_ID = "876"
CANCEL_TYPES = frozenset({"CF"})  # G9201 (670) that withdraws the whole order: BCH01 01
DELETE_TYPES = frozenset({"DI"})  # G9201 (670) "delete item(s)": its G68s are the items deleted
_SAME = frozenset({"N1", "N2", "N3", "N4", "NTE", "SE"})
_MORE_NOT_CARRIED = {"SLN": "subline item detail", "QTY": "a store's quantity"}


def as_860(result: ParseResult, sets: Sets, sacs: Mapping[tuple[str, str], str] | None = None
           ) -> tuple[ParseResult, Sets, list[Finding]]:
    """(the parse with the rows of the given 876 sets written as the 860 segments that say the same, each at its own
    row; the sets as 860s; ORDER_876_NOT_CARRIED findings for what no change column takes). The envelopes, the other
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
            findings.append(finding("ORDER_876_NOT_CARRIED", f"The 876's {what} ({element or seg_id}) is not carried "
                                    "into the change: see it in the file.", seg=seg_id, element=element, value=value,
                                    segment_position=row - _start + 1, file_segment=row + 1, **_where))

        body = seg.rows(ts.start, ts.end)
        lines = [r for r in body if r and r[0] == "G68"]
        in_line = False  # past the first G68: an N1 there opens a store's loop (its QTY), not a party of the heading
        in_sln = False  # past a G68 loop's SLN: its G72s are the subline's (not carried)
        taken: set[int] = set()  # the offsets of G73s read into their G72's SAC15
        g92 = next((r for r in body if r and r[0] == "G92"), [])
        deletes = _el(g92, 1) in DELETE_TYPES  # G92*DI: each G68 names an item deleted, whatever quantity it restates
        for offset, row in enumerate(body):
            at = ts.start + offset
            sid = row[0] if row else ""
            new: list[str] | None = None
            if sid == "ST":
                new = ["ST", "860", *row[2:]]
            elif sid == "G92":
                purpose = "01" if _el(row, 1) in CANCEL_TYPES else "04"
                new = ["BCH", purpose, "SA", _el(row, 3), "", "", _el(row, 2)]
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
                in_line = True
                in_sln = False
                quantity = _quantity(_el(row, 1))
                change = "DI" if deletes or (quantity is not None and quantity == 0) else "CA"
                pairs = (["UA", _el(row, 4)] if _el(row, 4) else []) + [_el(row, k) for k in range(5, 9)]
                new = _trimmed(["POC", "", change, _el(row, 1), "", _el(row, 2), _el(row, 3), "", *pairs])
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
                for k, what in _G76_EXTRA.items():
                    if _el(row, k):
                        skipped(f"order {what}", at, "G76", f"G76{k:02d}", _el(row, k))
            elif in_line and sid == "N1":
                skipped("store (a G68 loop's N1)", at, "N1")
            elif in_line and sid in ("N2", "N3", "N4"):
                pass  # (said with its N1)
            elif sid == "G72":
                skipped("subline's allowance or charge", at, sid)
            elif sid in _NOT_CARRIED:
                skipped(_NOT_CARRIED[sid], at, sid)
            elif sid in _MORE_NOT_CARRIED:
                in_sln = in_sln or sid == "SLN"
                skipped(_MORE_NOT_CARRIED[sid], at, sid)
            elif sid not in _SAME:
                skipped("segment", at, sid or "?")
            if new is not None:
                rows_at.append(at)
                new_rows.append(new)
        out_sets.append((ic, g, replace(ts, set_id="860")))
    return rows_rewritten(result, rows_at, new_rows), out_sets, findings
