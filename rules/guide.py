"""A partner's implementation guide, beyond the standard: segments it promised never to send and the
code values it promised to use (profile [x12.guide]). Optional; its findings carry the guide's severity.

Valid X12 never fails the standard layer (rules.structure) because of a guide: these are separate
findings (GUIDE_*), reported in the 997 only when the partner's guide severity is "error".
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from parsers.x12_reader import ParseResult
from schemas.findings import Finding, finding
from schemas.profile import PartnerGuide
from schemas.x12 import Group, Interchange, TransactionSet

Sets = list[tuple[Interchange, Group, TransactionSet]]
MAX_FINDINGS = 100


def check_guide(result: ParseResult, sets: Sets, guide: PartnerGuide | None) -> list[Finding]:
    """GUIDE_SEGMENT_UNEXPECTED for each segment the guide says is never sent, GUIDE_CODE_UNEXPECTED for
    each present value outside the guide's codes for that element, within ``sets``."""
    if guide is None or not sets or not len(result.segments):
        return []
    table = result.segments
    set_of_row = np.full(len(table) + 1, -1, dtype=np.int64)
    for k, (_ic, _g, ts) in enumerate(sets):
        set_of_row[ts.start + 1: ts.end] = k  # between ST and SE
    out: list[Finding] = []

    def locate(row: int) -> dict:
        ic, g, ts = sets[set_of_row[row]]
        return dict(file=result.file, isa13=ic.control_number, gs06=g.control_number, st02=ts.control_number,
                    segment_position=row - ts.start + 1, file_segment=row + 1)

    for seg_id in guide.never_sends:
        rows = table.rows_of(seg_id)
        rows = rows[set_of_row[rows] >= 0]
        for row in rows[:MAX_FINDINGS].tolist():
            out.append(finding("GUIDE_SEGMENT_UNEXPECTED", f"{seg_id} is valid X12, but the partner's guide says it "
                               "never sends it.", severity=guide.severity, seg=seg_id, **locate(row)))
    elements = table.elements
    for ref, allowed in guide.codes.items():
        head, _, comp = ref.partition("-")
        seg_id, position, component = head[:-2], int(head[-2:]), int(comp or 0)
        rows = table.rows_of(seg_id)
        rows = rows[set_of_row[rows] >= 0]
        if not len(rows):
            continue
        picked = elements.take(pa.array(rows, pa.int64()))
        lens = pc.list_value_length(picked).to_numpy(zero_copy_only=False)
        keep = np.flatnonzero(lens > position)
        if not len(keep):
            continue
        values = pc.list_element(picked.take(pa.array(keep, pa.int64())), position)
        if component:
            separators = {sets[set_of_row[int(rows[i])]][0].delimiters.component for i in keep.tolist()}
            values = pa.array([_component(v, component, separators) for v in values.to_pylist()], pa.string())
        present = pc.greater(pc.utf8_length(values), 0)
        outside = pc.and_(present, pc.invert(pc.is_in(values, value_set=pa.array(list(allowed), pa.string()))))
        bad = np.flatnonzero(pc.fill_null(outside, False).to_numpy(zero_copy_only=False))
        for i in bad[:MAX_FINDINGS].tolist():
            row = int(rows[keep[i]])
            value = values[i].as_py()
            out.append(finding("GUIDE_CODE_UNEXPECTED", f"{ref} {value!r} is valid X12, but the partner's guide "
                               f"lists only {', '.join(allowed)}.", severity=guide.severity, seg=seg_id,
                               element=ref, value=value, **locate(row)))
    out.sort(key=lambda f: f.location.file_segment or 0)
    return out


def _component(value: str | None, k: int, separators: set[str]) -> str:
    if not value:
        return ""
    for sep in separators:
        if sep and sep in value:
            parts = value.split(sep)
            return parts[k - 1] if len(parts) >= k else ""
    return value if k == 1 else ""
