"""864 Text Message sets (a partner's words for people: compliance notices, chargeback warnings,
announcements, a rejection explained) -> the TEXT_MESSAGES table (schemas.text_messages): one row per
MIT loop with its MSG lines, the set's BMG subject, its N1 parties and the POs its REF*PO segments name.

Reads a parsed file (parsers.x12_reader), tolerantly: what a set leaves out stays null or empty, MSG lines
before any MIT open a message of their own. Nothing here acts on the text. No paths, no clock.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime

import pyarrow as pa

from parsers import x12_dates
from parsers.functional_acks import created_at, element
from parsers.x12_reader import ParseResult
from schemas.text_messages import TEXT_MESSAGES
from schemas.x12 import Group, Interchange, TransactionSet


def read_text_messages(result: ParseResult, sets: Iterable[tuple[Interchange, Group, TransactionSet]], *,
                       partner: str, source_sha256: str = "", received_at: datetime | None = None,
                       refused: Collection[int] = ()) -> pa.Table:
    """The MIT loops of the 864 sets in ``sets`` (the (interchange, group, set) triples the caller
    read) as TEXT_MESSAGES rows, in file order. ``received_at``: when the file reached us; ``refused``: the
    ST positions (TransactionSet.start) of the sets the caller rejected (their rows say accepted False)."""
    rows: list[dict] = []
    for ic, g, ts in sets:
        if ts.set_id != "864":
            continue
        made = created_at(ic, g)
        head = {"partner": partner, "purpose": None, "subject": None, "dated": None,
                "message_created_at": made, "received_at": received_at, "source_file": result.file,
                "source_sha256": source_sha256, "isa13": ic.control_number, "gs06": g.control_number,
                "st02": ts.control_number, "accepted": ts.start not in refused}
        parties: list[str] = []  # the heading's N1 loops, then each message's own
        pos: list[str] = []
        mine: list[dict] = []
        current: dict | None = None
        for position, seg in enumerate(result.segments.rows(ts.start, ts.end), start=1):
            sid = seg[0].strip() if seg else ""
            if sid == "BMG":
                head["purpose"], head["subject"] = element(seg, 1), element(seg, 2)
            elif sid == "DTM" and current is None and head["dated"] is None:
                head["dated"] = x12_dates.parse(element(seg, 2))
            elif sid == "N1":
                named = " ".join(v for v in (element(seg, 1), element(seg, 2)) if v)
                if named:
                    (current["parties"] if current is not None else parties).append(named)
            elif sid == "REF" and (element(seg, 1) or "").upper() == "PO" and element(seg, 2):
                (current["po_numbers"] if current is not None else pos).append(element(seg, 2))
            elif sid == "MIT" or (sid == "MSG" and current is None):
                current = {"message_id": element(seg, 1) if sid == "MIT" else None,
                           "message_subject": element(seg, 2) if sid == "MIT" else None,
                           "parties": [], "po_numbers": [], "lines": [], "segment_position": position,
                           "file_segment": ts.start + position}
                mine.append(current)
                if sid == "MSG":
                    current["lines"].append(_line(seg))
            elif sid == "MSG":
                current["lines"].append(_line(seg))
        made_on = made.date() if made is not None else None
        for n, m in enumerate(mine, start=1):
            rows.append({**head, **m, "dated": head["dated"] or made_on,
                         "message_ref": f"{ic.control_number}-{g.control_number}-{ts.control_number}-{n}",
                         "parties": [*parties, *m["parties"]],
                         "po_numbers": list(dict.fromkeys([*pos, *m["po_numbers"]]))})
    return pa.Table.from_pylist(rows, schema=TEXT_MESSAGES)


def _line(seg: list[str]) -> str:
    """MSG01 as sent, its trailing blanks dropped (leading ones may indent the text)."""
    return seg[1].rstrip() if len(seg) > 1 else ""
