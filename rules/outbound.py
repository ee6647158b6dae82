"""Our own documents, checked before they are sent: an interchange we built must pass our envelope
rules and the dictionary of its version (segment order, loops, elements, notes) like any inbound one.

Pure: bytes in, findings out. The engine and flows call it before writing a document.
"""

from __future__ import annotations

from parsers.x12_reader import read_interchanges
from rules.envelope import Acceptance, check_envelopes
from rules.structure import check_structure, dictionary_for
from schemas.findings import Finding
from schemas.x12 import FUNCTIONAL_ID
from schemas.x12dict import EARLY_997_RELEASES, WRITTEN_RELEASES, Dictionary, built_by

# GS08 releases we write (schemas.profile.X12Settings.gs_version: a later release of the profile's version, as a
# partner whose guides are 004030 asks, "004030"): the documents are built by the version's dictionary, and are
# judged by it (schemas.x12dict.WRITTEN_RELEASES); and 997s in the releases before 004010 (EARLY_997_RELEASES), by
# the envelope rules only.


def _built_by(gs08: str) -> Dictionary | None:
    """The dictionary our documents of GS08 ``gs08`` were built by: their version's, for a later release of it."""
    return dictionary_for(built_by(gs08) or gs08)


def _everything() -> Acceptance:
    sets: dict[str, set[str]] = {}
    for set_id, fid in FUNCTIONAL_ID.items():
        sets.setdefault(fid, set()).add(set_id)
    return Acceptance(sets={fid: frozenset(ids) for fid, ids in sets.items()},
                      versions=frozenset(WRITTEN_RELEASES) | EARLY_997_RELEASES)


OUTBOUND = _everything()


def validate_outbound(data: bytes, *, file: str = "") -> list[Finding]:
    """Every finding our reader, envelope rules and dictionaries have about a document we built
    (an empty list, or only warnings, for a document fit to send)."""
    result = read_interchanges(data, file=file)
    return [*result.findings, *check_envelopes(result, OUTBOUND),
            *check_structure(result, list(result.transaction_sets()), dictionaries=_built_by)]
