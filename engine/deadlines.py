"""The PO's last acceptable date (DTM 001 cancel after, 063 do not deliver after) against what we
promise: a finding for each backordered line allocation could not promise in time (engine.allocate's
Allocation.late), naming both dates and what was done (the line rejected, or promised all the same).

Pure: tables in, finding records out; the flow adds them to the decide stage's plan.
"""

from __future__ import annotations

import pyarrow as pa

from rules.business.common import business_finding
from schemas.lifecycle import FindingRecord

_LINEAGE = ("partner", "po_number", "source_file", "isa13", "gs06", "st02", "cancel_after", "do_not_deliver_after")


def late_backorder_findings(late: pa.Table, orders: pa.Table, *, stage: str = "decide") -> tuple[FindingRecord, ...]:
    """BACKORDER_AFTER_CANCEL per LATE row (engine.allocate), at its order's 850."""
    if late.num_rows == 0:
        return ()
    heads = {(r["partner"], r["po_number"]): r
             for r in orders.select([c for c in _LINEAGE if c in orders.column_names]).to_pylist()}
    out = []
    for r in late.to_pylist():
        head = heads.get((r["partner"], r["po_number"]), {"partner": r["partner"], "po_number": r["po_number"]})
        which = " / ".join(f"DTM {q} ({name}) {head[c].isoformat()}" for c, q, name in (
            ("cancel_after", "001", "cancel after"), ("do_not_deliver_after", "063", "do not deliver after"))
            if head.get(c) is not None) or f"its last date {r['deliver_by'].isoformat()}"
        done = ("rejected (855 IR): it would be refused" if r["rejected"] else
                "promised all the same (late_backorder = \"promise\"): expect a refusal or a chargeback")
        message = (f"Line {r['line_number']}: the {r['units']} units backordered could ship "
                   f"{r['promised_date'].isoformat()} at the earliest, after the order's {which}; {done}.")
        f = business_finding("BACKORDER_AFTER_CANCEL", message, {**head, "line_number": r["line_number"]},
                             seg="DTM", element="DTM02", value=r["deliver_by"], line=False)
        out.append(FindingRecord(f, r["partner"], r["po_number"],
                                 "line IR" if r["rejected"] else "none (warning)", stage))
    return tuple(out)
