"""824 Application Advice sets (a partner's application accepting, noting errors in or rejecting the
documents we sent) -> the APPLICATION_ADVICE table (schemas.application_advice): one row per OTI loop
with its TED errors, CTX contexts (where in our document each error is), NTE notes, RED related data and the
lines of our document it names (OTI02/OTI03 or REF LI/FJ in the OTI loop: an item-level OTI's line).

Reads a parsed file (parsers.x12_reader), tolerantly: what an OTI leaves out stays null; matching the
OTIs to what we sent is engine.application_advice's job. No paths, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import pyarrow as pa

from parsers.functional_acks import created_at, element, whole_number
from parsers.x12_reader import ParseResult
from schemas.application_advice import APPLICATION_ADVICE, LINE_QUALIFIERS
from schemas.x12 import Group, Interchange, TransactionSet


def read_application_advice(result: ParseResult, sets: Iterable[tuple[Interchange, Group, TransactionSet]], *,
                            partner: str, source_sha256: str = "", received_at: datetime | None = None
                            ) -> pa.Table:
    """The OTI loops of the 824 sets in ``sets`` (the (interchange, group, set) triples the caller
    accepted) as APPLICATION_ADVICE rows, in file order. ``received_at``: when the file reached us."""
    rows: list[dict] = []
    for ic, g, ts in sets:
        if ts.set_id != "824":
            continue
        base = {"partner": partner, "advice_ref": f"{ic.control_number}-{g.control_number}-{ts.control_number}",
                "advice_version": g.version or None, "bgn_reference": None,
                "advice_created_at": created_at(ic, g), "received_at": received_at, "source_file": result.file,
                "source_sha256": source_sha256, "isa13": ic.control_number, "gs06": g.control_number,
                "st02": ts.control_number}
        current: dict | None = None
        component = result.segments.component[ts.start] if len(result.segments.component) > ts.start else ">"
        for position, seg in enumerate(result.segments.rows(ts.start, ts.end), start=1):
            sid = seg[0].strip() if seg else ""
            if sid == "BGN":
                base["bgn_reference"] = element(seg, 2)
            elif sid == "OTI":
                current = {**base, "code": element(seg, 1), "reference_qualifier": element(seg, 2),
                           "reference": element(seg, 3), "acked_gs06": element(seg, 8), "acked_st02": element(seg, 9),
                           "acked_set_id": element(seg, 10),
                           "errors": [], "notes": [], "related": [], "context": [],
                           "lines": _line_named(element(seg, 2), element(seg, 3)), "segment_position": position,
                           "file_segment": ts.start + position}
                rows.append(current)
            elif sid == "REF" and current is not None:
                current["lines"] += _line_named(element(seg, 1), element(seg, 2))
            elif sid == "TED" and current is not None:
                # TED as X12 writes it (003010-008050): 01 error code, 02 text, 03 segment id, 04 its position,
                # 05 the element's position (C030 from 004050: element, component, repeat), 06 the data element
                # reference number (C999 from 004050: the element's, the component's), 07 a copy of the bad value,
                # 08 its new content. No loop id (it read 05 as one, 06 as the position, 07 as the reference and
                # 08 as the bad value: a standard TED's copy of the bad data was taken for its element number)
                where = (element(seg, 5) or "").split(component) if component else [element(seg, 5) or ""]
                where += [""] * (3 - len(where))
                ref = ((element(seg, 6) or "").split(component) if component else [element(seg, 6) or ""])[0].strip()
                current["errors"].append({
                    "segment_id": element(seg, 3), "segment_position": whole_number(element(seg, 4)),
                    "loop_id": None, "segment_error": element(seg, 1),
                    "element_position": whole_number(where[0].strip() or None),
                    "component_position": whole_number(where[1].strip() or None),
                    "repeat_position": whole_number(where[2].strip() or None), "element_ref": ref or None,
                    "element_error": None, "bad_value": element(seg, 7), "reason": element(seg, 2)})
            elif sid == "CTX" and current is not None:
                current["context"].append(_context(seg, component))
            elif sid == "NTE" and current is not None and element(seg, 2):
                current["notes"].append(element(seg, 2))
            elif sid == "RED" and current is not None and element(seg, 1):
                # RED (004010+, in the TED loop): 01 the related business data (the item's UPC, the PO number the
                # error is about), 02 what it is (X12 1609), or 03/05/06 an industry code list's code
                code = element(seg, 2) or element(seg, 6)
                current["related"].append(element(seg, 1) + (f" ({code})" if code else ""))
    return pa.Table.from_pylist(rows, schema=APPLICATION_ADVICE)


def _line_named(qualifier: str | None, value: str | None) -> list[str]:
    """["LI 2"] when ``qualifier`` (an OTI02 or a REF01 of the OTI loop) names a line of our document, else []."""
    q = (qualifier or "").strip().upper()
    return [f"{q} {value.strip()}"] if q in LINE_QUALIFIERS and value and value.strip() else []


def _context(seg: list[str], component: str) -> str:
    """A CTX (005010+, in the TED loop: Walmart's 005010 guide, position 0750) in words: 01 the context (C998: its
    name, e.g. a business unit like "PO NUMBER" or "SITUATIONAL TRIGGER", and its reference), 02 the segment of our
    document it is about, 03 its position in our set, 04 the loop, 05 the element's position (C030: element,
    component, repeat), 06 its data element reference number (C999)."""
    def parts(n: int) -> list[str]:
        value = element(seg, n) or ""
        return [p.strip() for p in (value.split(component) if component else [value])] + ["", "", ""]

    name = " ".join(p for p in parts(1)[:2] if p)
    at, where, ref = element(seg, 3), parts(5), parts(6)[0]
    place = ", ".join(x for x in (
        element(seg, 2) and f"segment {element(seg, 2)}" + (f" at position {at}" if at else ""),
        not element(seg, 2) and at and f"segment position {at}",
        element(seg, 4) and f"loop {element(seg, 4)}",
        where[0] and f"element {where[0]}" + (f" component {where[1]}" if where[1] else "")
        + (f" repeat {where[2]}" if where[2] else ""),
        ref and f"data element {ref}") if x)
    return " ".join(x for x in (name, place and f"({place})") if x) or "(empty)"


