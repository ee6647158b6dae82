"""Our own documents, checked before they are sent: an interchange we built must pass our envelope
rules and the dictionary of its version (segment order, loops, elements, notes) like any inbound one.

Pure: bytes in, findings out. The engine and flows call it before writing a document.
"""

from __future__ import annotations

from parsers.x12_reader import read_interchanges
from rules.envelope import Acceptance, check_envelopes
from rules.structure import check_structure
from schemas.findings import Finding
from schemas.x12 import FUNCTIONAL_ID


def _everything() -> Acceptance:
    sets: dict[str, set[str]] = {}
    for set_id, fid in FUNCTIONAL_ID.items():
        sets.setdefault(fid, set()).add(set_id)
    return Acceptance(sets={fid: frozenset(ids) for fid, ids in sets.items()})


OUTBOUND = _everything()


def validate_outbound(data: bytes, *, file: str = "") -> list[Finding]:
    """Every finding our reader, envelope rules and dictionaries have about a document we built
    (an empty list, or only warnings, for a document fit to send)."""
    result = read_interchanges(data, file=file)
    return [*result.findings, *check_envelopes(result, OUTBOUND),
            *check_structure(result, list(result.transaction_sets()))]
