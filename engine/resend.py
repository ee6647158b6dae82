"""A document sent again under new control numbers (`orderbridge resend --new-control-numbers`): its kept
interchange re-enveloped, the transaction sets between GS and GE left byte for byte as sent.

Pure: bytes, numbers and the resend's clock in, bytes and a file name out; the numbers come from the state store's
counters (flows.resend takes them), the clock from the command. Must not read files, the clock or the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

ISA_LENGTH = 106  # the ISA segment's fixed width, its segment terminator included


class NotAnInterchange(ValueError):
    """The kept copy is not one interchange of one functional group we can re-envelope (a CSV file)."""


def renumbered(content: bytes, *, isa13: int, gs06: int, at: datetime | None = None) -> bytes:
    """``content`` (one interchange as we stored it) with ISA13 and IEA02 set to ``isa13`` (nine digits) and,
    when it holds a functional group, GS06 and GE02 to ``gs06``; with ``at`` (the resend's clock) the new
    envelope dated then: ISA09/ISA10 (YYMMDD, HHMM) and GS04/GS05 (in the widths the copy used: CCYYMMDD or
    YYMMDD; HHMM, HHMMSS or HHMMSSDD). X12 dates an interchange and a group when they are prepared (ISA09
    "date of the interchange", GS04 "functional group creation date"), and a re-enveloped copy is a new interchange
    and group made at the resend. Every other byte as it was (ids, the sets with their ST02/SE02 and their own
    dates, BIG01, DTM...), so the partner reads the same transaction sets in a new envelope. A TA1 (no group)
    takes the new ISA13 (and date) alone; its TA102/TA103 name the interchange it answers and stay.
    NotAnInterchange when ``content`` is not one ISA..IEA with at most one group."""
    text = content.decode("utf-8")
    if not text.startswith("ISA") or len(text) < ISA_LENGTH:
        raise NotAnInterchange("the kept copy does not start with an ISA segment")
    sep, term = text[3], text[ISA_LENGTH - 1]
    isa = text[:ISA_LENGTH].split(sep)
    if len(isa) != 17:
        raise NotAnInterchange("the kept copy's ISA segment does not hold 16 elements")
    isa[13] = f"{isa13:09d}"
    if at is not None:
        isa[9], isa[10] = at.strftime("%y%m%d"), at.strftime("%H%M")
    parts = text[ISA_LENGTH:].split(term)
    seen = {"GS": 0, "GE": 0, "IEA": 0, "ISA": 0}
    for i, seg in enumerate(parts):
        lead = len(seg) - len(seg.lstrip("\r\n"))  # a line break a writer put after the terminator stays
        elements = seg[lead:].split(sep)
        tag = elements[0]
        if tag in seen:
            seen[tag] += 1
        if tag in ("GS", "GE", "IEA") and len(elements) < {"GS": 7, "GE": 3, "IEA": 3}[tag]:
            raise NotAnInterchange(f"the kept copy's {tag} segment is short")
        if tag == "GS":
            elements[6] = str(gs06)
            if at is not None:
                elements[4] = at.strftime("%y%m%d" if len(elements[4]) == 6 else "%Y%m%d")
                elements[5] = _time(at, len(elements[5]))
        elif tag == "GE":
            elements[2] = str(gs06)
        elif tag == "IEA":
            elements[2] = f"{isa13:09d}"
        else:
            continue
        parts[i] = seg[:lead] + sep.join(elements)
    if seen["ISA"] or seen["IEA"] != 1 or seen["GS"] > 1 or seen["GS"] != seen["GE"]:
        raise NotAnInterchange("the kept copy is not one interchange of at most one functional group")
    return (sep.join(isa) + term.join(parts)).encode("utf-8")


def receiver(content: bytes) -> tuple[str, str] | None:
    """(ISA07, ISA08) of ``content`` (one interchange as we stored it: the ids it was addressed to, ISA08's padding
    stripped), None when it starts with no ISA segment (a CSV file)."""
    if not content.startswith(b"ISA") or len(content) < ISA_LENGTH:
        return None
    isa = content[:ISA_LENGTH].decode("utf-8", "replace").split(content[3:4].decode("utf-8", "replace"))
    return (isa[7].strip(), isa[8].strip()) if len(isa) == 17 else None


def _time(at: datetime, width: int) -> str:
    """GS05 at ``at`` in the width the copy used: HHMM (4), HHMMSS (6), HHMMSSD (7) or HHMMSSDD (8)."""
    return (at.strftime("%H%M%S") + f"{at.microsecond // 10_000:02d}")[:width] if width > 4 else at.strftime("%H%M")


def sets_of(content: bytes) -> bytes | None:
    """The bytes between the GS segment and the GE segment of ``content`` (its transaction sets as sent, ST..SE
    with their terminators), when it is one interchange of one functional group; else None. What a renumbered
    copy shares with the document it was made from (renumbered() changes nothing there): `state rebuild` tells a
    resend found in an outbox from a document of its own by it. Bytes, whatever the partner's encoding."""
    if not content.startswith(b"ISA") or len(content) < ISA_LENGTH:
        return None
    sep, term = content[3:4], content[ISA_LENGTH - 1:ISA_LENGTH]
    parts = content[ISA_LENGTH:].split(term)
    tags = [seg.lstrip(b"\r\n").split(sep, 1)[0] for seg in parts]
    if tags.count(b"GS") != 1 or tags.count(b"GE") != 1 or tags.count(b"ISA") or tags.count(b"IEA") != 1:
        return None
    gs, ge = tags.index(b"GS"), tags.index(b"GE")
    return term.join(parts[gs + 1:ge]) + term if gs < ge else None


def renamed(file_name: str, old_isa13: str, new_isa13: int) -> str:
    """The resend's file name: ``file_name`` with the old ISA13 (nine digits, or as its number) replaced by the new
    one's nine digits where it names it, else the new ISA13 put before its extension ("-resend-000000042"): a
    name no earlier file of the partner has (its ISA13 is new)."""
    new = f"{new_isa13:09d}"
    for old in dict.fromkeys(x for x in (old_isa13, old_isa13.lstrip("0")) if x):
        at = file_name.rfind(old)
        # the number alone, not digits inside a longer one
        if at >= 0 and not file_name[at - 1:at].isdigit() and not file_name[at + len(old):at + len(old) + 1].isdigit():
            return file_name[:at] + new + file_name[at + len(old):]
    stem, dot, ext = file_name.rpartition(".")
    return f"{stem}-resend-{new}.{ext}" if dot and stem else f"{file_name}-resend-{new}"




def rejection(name: str, doc_type: str, answers: Iterable[Mapping]) -> str | None:
    """Why a document (``name``: its type and file) must not be sent again when a partner's answer rejected it
    (``answers``: its sets' and its renumbered resends' verdicts, connectors' document_status rows): the same bytes
    would be rejected again, a corrected document goes instead; None when none rejected it."""
    rejected = [v for v in answers if v["status"] == "rejected"]
    if not rejected:
        return None
    v = rejected[0]
    return (f"the partner rejected the {name} (ISA13 {v['isa13']} GS06 {v['gs06']} ST02 {v['st02']}: "
            f"{v['reasons'] or 'rejected'}): sending it again would be rejected again; send a corrected "
            f"{doc_type} instead")
