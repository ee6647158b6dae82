"""The partners' 864 text messages as `orderbridge status` finds them: the runs' messages.json files
(written by flows.reports from flows.text_messages), read with json alone (status loads no pyarrow:
tests/test_console.py), those naming one PO in a REF*PO.
"""

from __future__ import annotations

import json
from pathlib import Path

from flows.workspace import Workspace

REPORT = "messages.json"  # a run's messages, readable, beside failures.html
REFUSED = "not accepted (997 AK5 R: malformed, the partner is asked to send it again)"


def subject_of(row: dict) -> str:
    """A message's BMG02 subject as shown, marked when its set was refused (``accepted`` False)."""
    subject, taken = row.get("subject") or "", row.get("accepted")  # a message column, not an order's state
    return " ".join(v for v in (subject, f"[{REFUSED}]") if v) if taken is False else subject


def naming(ws: Workspace, partner: str, po_number: str) -> list[dict]:
    """The messages of ``partner`` whose REF*PO name ``po_number``, from every finished run's messages.json
    (`orderbridge status`), each once, oldest first: {"dated", "subject", "message", "lines", "file", "run",
    "received_at"}."""
    out: dict[tuple, dict] = {}
    for path in sorted(ws.reports_dir.glob(f"*/{REPORT}")):
        try:
            rows = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):  # a report folder being replaced: the next status reads it
            continue
        for r in rows:
            if r.get("partner") == partner and po_number in (r.get("po_numbers") or []):
                out.setdefault((r.get("source_sha256"), r.get("message_ref")), {
                    "dated": r.get("dated"), "subject": subject_of(r),
                    "message": " · ".join(v for v in (r.get("message_id"), r.get("message_subject")) if v),
                    "lines": r.get("lines") or [], "file": r.get("source_file"), "run": path.parent.name,
                    "received_at": r.get("received_at") or ""})
    return sorted(out.values(), key=lambda m: (m["received_at"], m["file"] or ""))


def of_run(folder: Path) -> list[dict]:
    """The messages a finished run's report folder lists (its messages.json; [] without one or unreadable)."""
    try:
        rows = json.loads((folder / REPORT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return rows if isinstance(rows, list) else []
