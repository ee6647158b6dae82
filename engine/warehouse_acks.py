"""A 3PL's 945 file judged as a partner's 850 file is (judge_945s: envelopes, the dictionary's structure check, which
interchange, group or set is refused, which sets are read), and the 997s (and TA1s) answering it: pure, as a
partner's are (engine.acks builds the bodies, from the same findings). Each answer is addressed back from the
ISA/GS ids the 945 was sent to, to its sender, in its group's release and its own delimiters where they fit; a
warehouse has no partner profile, so each document carries its Envelope beside it. No numbers, paths or clock
reading here: flows.shipments numbers, renders and stores them in the confirmation's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from engine.acks import (
    accepted_sets,
    build_997,
    interchange_findings,
    interchange_rejected,
    ta1_asked,
    ta1_segment,
    unnameable_groups,
)
from engine.envelope import ISA12, PUBLISHED_997, Envelope, body_chars, first_fit, industry_gs08, render_body
from engine.process import Known, duplicate_envelopes
from parsers.x12_reader import ParseResult
from rules.envelope import Acceptance, check_envelopes
from rules.structure import check_structure
from schemas.findings import Finding, finding
from schemas.lifecycle import PlannedDocument, PlannedSet
from schemas.x12 import Delimiters, Group, Interchange, TransactionSet, gs_id_valid
from schemas.x12dict import base_version, built_by

DEFAULT_997_RELEASE = "004010"  # a 945 group in a release whose 997 we do not write (006020 ...) is answered so
STANDARD = Delimiters()  # "*", ">", "~": tried after the 945's own delimiters
# A 3PL's 945 in any X12 version is read (its envelopes checked, never a GS08 refused: 004030, 005030 ...), as a
# partner's [x12] other_versions = "common" (the default): a release we hold no dictionary for is judged by what
# 004010's and 005010's agree on (rules.structure.common_findings)
ACCEPT_945 = Acceptance(sets={"SW": frozenset({"945"})}, versions=None)
# What the dictionary refuses in a 945 that the 945 reader deliberately reads (parsers.warehouse_945: shapes 3PLs'
# translators write, each read for what it unambiguously says), by (finding code, segment, element): kept as a
# warning the 997 notes (AK3/AK4 with AK5 E, accepted with errors noted: engine.acks.NOTED_IN_997), as a partner's
# deviation we read is (an N0 number with its decimal point), so the 3PL learns of it without losing the shipment.
READ_DEVIATIONS = frozenset({
    ("SEGMENT_NOT_IN_SET", "REF", ""),  # REF*SE: a unit's serial number in the W12 loop, for N9*SE
    ("SEGMENT_NOT_IN_SET", "DTM", ""),  # DTM*036: the lot's expiry in the W12 loop, for G62*36 (as an 856 writes)
    ("SEGMENT_OUT_OF_ORDER", "MAN", ""),  # a carton's MAN after its W12: it marks the W12s that follow it
    ("ELEMENT_TOO_LONG", "W12", "W1212"),  # a weight's unit as a 355 code (OZ, GR, LB ...) where 188's (O, L) goes
    ("ELEMENT_TOO_LONG", "W12", "W1215"),
    ("ELEMENT_TOO_SHORT", "W03", "W0303"),  # the W03 weight's unit as 188's L or K where 355's (LB, KG) goes
})


@dataclass(frozen=True, slots=True)
class Judged:
    """A 945 file as its envelopes and structure judged it: every finding (the reader's, the envelopes', the
    dictionary's, a stranger's interchange, a duplicate's), the 945 sets to read (in file order), the interchanges
    that are the warehouse's (by ISA position: those answered), and the (sender, ISA13) of those taken in (to
    record: a copy sent again is ISA_DUPLICATE)."""

    findings: list[Finding]
    sets: list[tuple[Interchange, Group, TransactionSet]]
    mine: frozenset[int]
    seen: tuple[tuple[str, str], ...] = ()


def judge_945s(result: ParseResult, *, sender: tuple[tuple[str, str], ...] | None, warehouse: str = "",
               known: Known | None = None, today: date | None = None, window_days: int = 365) -> Judged:
    """Which 945 sets of a parsed file are read, decided as engine.process decides a partner's 850s: an interchange
    with an error (TA1 R) is not read, one with only a tolerated one (IEA01 or IEA02 that differs: TA1 E) is; a
    group with an error (AK9 R) is not read, the others of its interchange are; a set with an error of its own
    (its ST/SE, or a segment or element the version's dictionary refuses: AK5 R with its AK3/AK4) is not read, the
    others of its group are. An interchange from another ISA sender than the profile's ``sender`` (its (qualifier,
    id) pairs: [sender] and its their_ids; None: any) is neither read nor
    answered (SHIPMENT_945_SENDER_UNKNOWN, once per interchange); the others are.
    The dictionary judges each 945 set by its group's release, exactly as X12 does (a segment we do not read is
    no fault); a release we hold none for by what every held one agrees on.
    ``known`` (what the store holds of the warehouse's interchanges: engine.process.Known, asked for this file's
    envelope_keys): an interchange whose (sender, ISA13) was taken before, in an earlier file within ``window_days``
    of ``today`` or earlier in this one, is ISA_DUPLICATE (TA1 R 025, not read: nothing in it ships twice), one
    last used beyond them ISA_REUSED (taken, a warning), a group repeated within its interchange GS_DUPLICATE, as a
    partner's (engine.process.duplicate_envelopes); None: not checked (`orderbridge inspect`, a preview)."""
    findings = list(result.findings) + check_envelopes(result, ACCEPT_945)
    mine: set[int] = set()
    for ic in result.interchanges:
        if sender is None or (ic.sender_qualifier.strip(), ic.sender.strip()) in sender:
            mine.add(ic.start)
        elif ic.elements:
            named = " or ".join(f"{q}/{i}" for q, i in sender)
            findings.append(finding(
                "SHIPMENT_945_SENDER_UNKNOWN", f"ISA05/06 {ic.sender_qualifier}/{ic.sender} is not "
                f"{warehouse or 'the warehouse'} ({named}): its interchange is not read or answered.",
                file=result.file, isa13=ic.control_number, seg="ISA", element="ISA06", value=ic.sender,
                file_segment=ic.start + 1))
    ours = [ic for ic in result.interchanges if ic.start in mine and not ic.rejected]
    findings += [_read_deviation(f) for f in check_structure(
        result, [(ic, g, ts) for ic in ours for g in ic.groups for ts in g.transactions
                 if ts.set_id == "945" and g.functional_id == "SW"], common=True)]
    for ic in ours:  # a group no 997 can name makes its interchange's content invalid (TA1 024), as a partner's
        findings += [f.with_file(result.file) if result.file else f for f in unnameable_groups(ic)]
    if known is not None:  # the 3PL sent an interchange again: as a partner's, the copy is refused (TA1 R 025)
        findings += duplicate_envelopes(result, ours, findings, known, today=today or date.min,
                                        window_days=window_days, resent=_RESENT)
    taken = [ic for ic in ours if not interchange_rejected(ic, findings)]
    sets = [(ic, g, ts) for ic in taken for g in ic.groups for ts in accepted_sets(g, findings) if ts.set_id == "945"]
    return Judged(findings, sets, frozenset(mine), tuple(dict.fromkeys((ic.sender, ic.control_number) for ic in taken
                                                                        if ic.elements)))


# a duplicate interchange's copy in a warehouse's words (engine.process.duplicate_envelopes ``resent``, after the
# earlier file that brought it): nothing in the copy ships again
_RESENT = ("this copy is not read and nothing in it is shipped again (the 3PL sent the interchange again: TA1 R 025, "
           "no 997). A shipment the first copy had held ships from a new interchange (a new ISA13).")


def _read_deviation(f: Finding) -> Finding:
    """``f`` as a warning the 997 notes when it is one of READ_DEVIATIONS, else as it is."""
    if f.severity != "error" or (f.code, f.location.segment_id, f.location.element or "") not in READ_DEVIATIONS:
        return f
    return replace(f, severity="warning", message=f"{f.message} Read all the same (a shape 3PLs' translators write, "
                   "unambiguous): the 945 is accepted, the 997 notes it (AK5 E).")


@dataclass(frozen=True, slots=True)
class WarehouseAnswer:
    """One planned 997 or TA1 for a warehouse and the envelope it is written in (its addresses and release)."""

    document: PlannedDocument
    envelope: Envelope


def release_of(gs08: str) -> str:
    """The release of the 997 answering a group of GS08 ``gs08``: the group's own where we write its 997 (004030 for
    004030VICS, whose GS08 _997_envelope keeps; engine.envelope.ack_version, as a partner's "group" default), else
    004010."""
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
                answered: frozenset[int] | set[int], send_997: bool = True
                ) -> tuple[list[WarehouseAnswer], list[str]]:
    """The 997s (one per group, AK1..AK9 as engine.acks.build_997 says from ``findings``: accepted, accepted with
    errors noted or rejected) and TA1s (an interchange whose ISA14 asks for one, or one in error: X12's interchange
    acknowledgment, as a partner's [acks] ta1 "requested") answering the interchanges of ``result`` starting at
    ``answered`` (those from the warehouse: a stranger's is not answered), for the warehouse's ``party`` (the state
    store's partner column of its documents). ``findings``: judge_945s's, which decided what was read: a group is
    said accepted exactly when its sets were read. ``send_997`` False (a 3PL that wants no acknowledgment): only the
    TA1s an ISA14 asks for. Returns (answers, the doc_keys of groups no 997 could be written for: every delimiter
    set is used by its values)."""
    out: list[WarehouseAnswer] = []
    unwritten: list[str] = []
    for ic in result.interchanges:
        if ic.start not in answered or not ic.elements:
            continue
        has_error = any(f.severity == "error" for f in interchange_findings(ic, findings))
        if ta1_asked(ic, findings) or (has_error and send_997):
            env = _ta1_envelope(ic)
            key = f"TA1:{sha256}:{ic.control_number}:{ic.start}"
            out.append(WarehouseAnswer(PlannedDocument(party, "TA1", "", (PlannedSet(
                key, (), "", sha256, ic.control_number, ""),), tuple(ta1_segment(ic, findings, today=today))), env))
        if ic.rejected or interchange_rejected(ic, findings) or not send_997:
            continue
        for g in ic.groups:
            release = release_of(g.version)
            env = _997_envelope(ic, g)
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



def _ta1_envelope(ic: Interchange) -> Envelope:
    """The envelope of the TA1 answering ``ic``: in its ISA12 where valid (the control version of the interchange
    it answers)."""
    isa12 = (ic.elements[11].strip() if len(ic.elements) > 11 else "")
    return envelope_of(ic, gs_sender="", gs_receiver="", version=DEFAULT_997_RELEASE,
                       isa_control=isa12 if ISA12.fullmatch(isa12) else "")


def _997_envelope(ic: Interchange, g: Group) -> Envelope:
    """The envelope of the 997 answering group ``g`` of ``ic``: GS03/GS02 of the group exchanged (X12 997 note);
    one X12 does not allow (GS_APPLICATION_ID_INVALID) is not echoed: the ISA id beside it, as a partner's answer
    takes its profile's (reply_address); in the group's release where we write its 997 (release_of), its GS08 the
    group's, an industry identifier kept (004010VICS: engine.envelope.ack_version, as a partner's)."""
    release = release_of(g.version)
    env = envelope_of(ic, gs_sender=g.receiver if gs_id_valid(g.receiver) else ic.receiver,
                      gs_receiver=g.sender if gs_id_valid(g.sender) else ic.sender, version=release)
    sent = industry_gs08(g.version)
    return replace(env, gs_version=sent) if sent != release and sent.startswith(release) else env


def answer_envelope(result: ParseResult, doc_key: str) -> Envelope | None:
    """The envelope answers_945 addressed the answer ``doc_key`` ("997:<sha>:<ISA13>:<GS06>:<group start>",
    "TA1:<sha>:<ISA13>:<interchange start>") with, found again in its 945 file read again (``result``): what a held
    997 or TA1 is rendered in when ops release it (it is stored as its plan, without its envelope). None: the file
    holds no such interchange or group."""
    kind, _sha, _isa13, *rest = doc_key.split(":")
    if not rest or not rest[-1].isdigit():
        return None
    start = int(rest[-1])
    for ic in result.interchanges:
        if kind == "TA1" and ic.start == start and ic.elements:
            return _ta1_envelope(ic)
        for g in ic.groups if kind == "997" else ():
            if g.start == start:
                return _997_envelope(ic, g)
    return None
