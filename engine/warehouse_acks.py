"""997s (and TA1s) answering a 3PL's 945s: pure, as a partner's are (engine.acks builds the bodies, from the same
findings the 945's reading raised). Each answer is addressed back from the ISA/GS ids the 945 was sent to, to its
sender, in its group's release and its own delimiters where they fit; a warehouse has no partner profile, so each
document carries its Envelope beside it. No numbers, paths or clock reading here: flows.shipments numbers, renders
and stores them in the confirmation's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from engine.acks import build_997, group_rejected, interchange_findings, interchange_rejected, ta1_segment
from engine.envelope import ISA12, PUBLISHED_997, Envelope, body_chars, first_fit, render_body
from parsers.x12_reader import ParseResult
from schemas.findings import Finding
from schemas.lifecycle import PlannedDocument, PlannedSet
from schemas.x12 import Delimiters, Interchange, gs_id_valid
from schemas.x12dict import base_version, built_by

DEFAULT_997_RELEASE = "004010"  # a 945 group in a release whose 997 we do not write (006020 ...) is answered so
STANDARD = Delimiters()  # "*", ">", "~": tried after the 945's own delimiters


@dataclass(frozen=True, slots=True)
class WarehouseAnswer:
    """One planned 997 or TA1 for a warehouse and the envelope it is written in (its addresses and release)."""

    document: PlannedDocument
    envelope: Envelope


def release_of(gs08: str) -> str:
    """The GS08 of the 997 answering a group of GS08 ``gs08``: the group's own release where we write its 997
    (004030 for 004030VICS; engine.envelope.ack_version, as a partner's "group" default), else 004010."""
    theirs = base_version(gs08)
    return theirs if theirs in PUBLISHED_997 else DEFAULT_997_RELEASE


def envelope_of(ic: Interchange, *, gs_sender: str, gs_receiver: str, version: str, isa_control: str = ""
                ) -> Envelope:
    """Our envelope answering ``ic``: from the ISA07/ISA08 it was sent to, to its ISA05/ISA06, in its usage (ISA15:
    a test interchange answered as a test) and its own delimiters first (our usual ones next)."""
    own = replace(ic.delimiters, suffix="\n")
    return Envelope(sender_qualifier=ic.receiver_qualifier, sender_id=ic.receiver,
                    receiver_qualifier=ic.sender_qualifier, receiver_id=ic.sender, gs_sender=gs_sender,
                    gs_receiver=gs_receiver, version=version,
                    usage=(ic.elements[14].strip() if len(ic.elements) > 14 else "") or "P", delimiters=own,
                    fallbacks=() if own == STANDARD else (STANDARD,), isa_control=isa_control)


def answers_945(result: ParseResult, findings: list[Finding], *, party: str, sha256: str, today: date,
                answered: frozenset[int] | set[int], send_997: bool = True, taken: bool = True
                ) -> tuple[list[WarehouseAnswer], list[str]]:
    """The 997s (one per group, AK1..AK9 as engine.acks.build_997 says from ``findings``: accepted, accepted with
    errors noted or rejected) and TA1s (an interchange whose ISA14 asks for one, or one in error: X12's interchange
    acknowledgment, as a partner's [acks] ta1 "requested") answering the interchanges of ``result`` starting at
    ``answered`` (those from the warehouse: a stranger's is not answered), for the warehouse's ``party`` (the state
    store's partner column of its documents). ``send_997`` False (a 3PL that wants no acknowledgment): only the TA1s
    an ISA14 asks for. ``taken`` False: the 945 reading took nothing of the file (an error outside any set, which a
    partner's 850s would have been read despite: an IEA02 that is not the ISA13, another group's GE count), so no
    group is said accepted: each interchange gets a TA1 R (its own note, else 024 invalid interchange content) and
    only its groups rejected on their own a 997 (AK9 R). Returns (answers, the doc_keys of groups no 997 could be
    written for: every delimiter set is used by its values)."""
    out: list[WarehouseAnswer] = []
    unwritten: list[str] = []
    for ic in result.interchanges:
        if ic.start not in answered or not ic.elements:
            continue
        has_error = any(f.severity == "error" for f in interchange_findings(ic, findings))
        if ic.ack_requested == "1" or ((has_error or not taken) and send_997):
            isa12 = (ic.elements[11].strip() if len(ic.elements) > 11 else "")
            env = envelope_of(ic, gs_sender="", gs_receiver="", version=DEFAULT_997_RELEASE,
                              isa_control=isa12 if ISA12.fullmatch(isa12) else "")
            key = f"TA1:{sha256}:{ic.control_number}:{ic.start}"
            out.append(WarehouseAnswer(PlannedDocument(party, "TA1", "", (PlannedSet(
                key, (), "", sha256, ic.control_number, ""),), tuple(_ta1(ic, findings, today, taken))), env))
        if ic.rejected or interchange_rejected(ic, findings) or not send_997:
            continue
        for g in ic.groups:
            if not taken and not group_rejected(g, findings)[0]:
                continue
            release = release_of(g.version)
            # GS03/GS02 of the group exchanged (X12 997 note); one X12 does not allow (GS_APPLICATION_ID_INVALID)
            # is not echoed: the ISA id beside it, as a partner's answer takes its profile's (reply_address)
            env = envelope_of(ic, gs_sender=g.receiver if gs_id_valid(g.receiver) else ic.receiver,
                              gs_receiver=g.sender if gs_id_valid(g.sender) else ic.sender, version=release)
            key = f"997:{sha256}:{ic.control_number}:{g.control_number}:{g.start}"
            body = build_997(g, findings, version=built_by(release) or release, avoid=env.delimiters.element +
                             env.delimiters.component + env.delimiters.segment + env.delimiters.repetition)
            d = first_fit(env, body_chars([body]))
            if d is None:
                unwritten.append(key)
                continue
            out.append(WarehouseAnswer(PlannedDocument(party, "997", "FA", (PlannedSet(
                key, (), "", sha256, ic.control_number, g.control_number, text=render_body(body, d),
                segments=len(body)),), delimiters=d), env))
    return out, unwritten


def _ta1(ic: Interchange, findings: list[Finding], today: date, taken: bool) -> list[str]:
    """ta1_segment; R (with its note, else 024) for an interchange of a file nothing of which was taken."""
    ta1 = ta1_segment(ic, findings, today=today)
    if not taken:
        ta1[4], ta1[5] = "R", ta1[5] if ta1[5] != "000" else "024"
    return ta1
