"""A document sent again under new control numbers (`orderbridge resend --new-control-numbers`): its kept
interchange re-enveloped, the transaction sets between GS and GE left byte for byte as sent.

Or the kept sets readdressed under another partner's envelope (readdressed: [continues]). Pure: bytes, numbers and
the resend's clock in, bytes and a file name out; the numbers come from the state store's
counters (flows.resend takes them), the clock from the command. Must not read files, the clock or the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from engine.envelope import Envelope, gs_date, isa_segment
from parsers.x12_writer import render_segments

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


class NotReaddressable(ValueError):
    """The kept copy's sets cannot go under another envelope as they are (written in another release, or a value
    holding one of that envelope's delimiters); the message says which."""


def readdressed(content: bytes, env: Envelope, *, isa13: int, gs06: int, at: datetime) -> bytes:
    """``content`` (one interchange of one functional group as we stored it) under the envelope ``env`` (another
    partner's: its ISA05-ISA08, ISA12, ISA15, GS02/GS03 and delimiters) numbered ``isa13`` / ``gs06`` and dated
    ``at``: a document made for a partner's earlier ids sent again to its new ones ([continues]: A's document sent
    before the continuing profile B took over, to B's ids). Its transaction sets go as they were written, ST..SE
    byte for byte but for the delimiters, each written as ``env``'s (element, component, repetition separator and
    segment terminator: every one of the copy's is a delimiter, never data). NotAnInterchange when ``content`` is
    not one ISA..IEA of one group; NotReaddressable when its group was written in another release than ``env``'s
    for its sets (GS08: the partner's new translator reads that release from these ids; re-rendering the sets in
    another release is not done here) or a value of its sets holds one of ``env``'s delimiters."""
    text = content.decode("utf-8")
    if not text.startswith("ISA") or len(text) < ISA_LENGTH:
        raise NotAnInterchange("the kept copy does not start with an ISA segment")
    sep, term = text[3], text[ISA_LENGTH - 1]
    isa = text[:ISA_LENGTH - 1].split(sep)
    if len(isa) != 17:
        raise NotAnInterchange("the kept copy's ISA segment does not hold 16 elements")
    old = {sep: "element", isa[16]: "component", term: "segment"}
    if isa[12] >= "00402" and isa[11] not in ("U", "") and isa[11] not in old:
        old[isa[11]] = "repetition"
    segments = [seg.lstrip("\r\n") for seg in text[ISA_LENGTH:].split(term)]
    segments = [seg for seg in segments if seg]
    tags = [seg.split(sep, 1)[0] for seg in segments]
    if tags.count("GS") != 1 or tags.count("GE") != 1 or tags.count("IEA") != 1 or tags[-1] != "IEA" \
            or tags[0] != "GS" or tags[-2] != "GE":
        raise NotAnInterchange("the kept copy is not one interchange of one functional group")
    gs = segments[0].split(sep)
    if len(gs) < 9:
        raise NotAnInterchange("the kept copy's GS segment is short")
    sets = segments[1:-2]
    set_id = sets[0].split(sep)[1] if sets and len(sets[0].split(sep)) > 1 else ""
    wanted = env.gs08_for(set_id)
    if gs[8] != wanted:
        raise NotReaddressable(f"its sets were written in release {gs[8]} and {env.receiver_qualifier}/"
                               f"{env.receiver_id} are sent {wanted}: they would have to be made again in that "
                               "release, not re-enveloped")
    d = env.candidates[0]
    new = {"element": d.element, "component": d.component, "segment": d.segment, "repetition": d.repetition}
    body = term.join(sets)
    held = sorted(ch for ch in set(new.values()) - {""} if ch in body and ch not in old)
    held += [ch for ch, role in old.items() if role == "repetition" and not new["repetition"] and ch in body]
    if held:
        raise NotReaddressable(f"its sets hold {', '.join(repr(c) for c in held)}, which "
                               f"{env.receiver_qualifier}/{env.receiver_id}'s envelope cannot write (a delimiter of "
                               "it in a value, or a repetition separator its release has not)")
    table = str.maketrans({ch: new[role] for ch, role in old.items()})
    end = d.segment + d.suffix
    head = render_segments([isa_segment(env, isa13, at, d=d),
                            ["GS", gs[1], env.gs_sender, env.gs_receiver, gs_date(env, at), at.strftime("%H%M"),
                             str(gs06), gs[7], gs[8]]], d)
    written = "".join(seg.translate(table) + end for seg in sets)
    tail = render_segments([["GE", str(sum(1 for t in tags if t == "ST")), str(gs06)], ["IEA", "1", f"{isa13:09d}"]],
                           d)
    return (head + written + tail).encode("utf-8")


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


def sets_read(content: bytes) -> tuple | None:
    """The transaction sets of ``content`` (sets_of: one interchange of one functional group) as their values: each
    segment's elements, each element's repetitions and components, whatever delimiters wrote them; None when
    ``content`` is not one such interchange. A readdressed copy (readdressed: the sets under another partner's
    delimiters) reads as the document it was made from, as a renumbered one does (`state rebuild` tells either from a
    document of its own by it)."""
    body = sets_of(content)
    if body is None:
        return None
    isa = content[:ISA_LENGTH].split(content[3:4])
    sep, term, component = content[3:4], content[ISA_LENGTH - 1:ISA_LENGTH], isa[16][:1] if len(isa) == 17 else b""
    repetition = isa[11][:1] if len(isa) == 17 and isa[12] >= b"00402" and isa[11] not in (b"U", b"") else b""
    if repetition in (sep, term, component):
        repetition = b""

    def element(value: bytes) -> tuple:
        reps = value.split(repetition) if repetition else [value]
        return tuple(tuple(r.split(component)) if component else (r,) for r in reps)

    return tuple(tuple(element(e) for e in seg.lstrip(b"\r\n").split(sep))
                 for seg in body.split(term) if seg.lstrip(b"\r\n"))


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


def set_body(content: bytes, st02: str) -> tuple[tuple, ...] | None:
    """The segments between ST and SE of the transaction set ``st02`` of ``content`` (a document we sent, as stored),
    each a tuple of its values (a composite a tuple of its components), as the planners' bodies are written: what a
    follow-up (860 BCH01 45) has us send again under new control numbers (engine.lifecycle.changes). None when
    ``content`` is no X12 interchange or holds no such set. Read with the copy's own delimiters and encoding."""
    if not content.startswith(b"ISA") or len(content) < ISA_LENGTH or not st02:
        return None
    sep, term = content[3:4], content[ISA_LENGTH - 1:ISA_LENGTH]
    isa = content[:ISA_LENGTH].split(sep)
    component = isa[16][:1] if len(isa) == 17 else b""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        text = content.decode("latin-1")
    sep_t, term_t, comp_t = sep.decode("latin-1"), term.decode("latin-1"), component.decode("latin-1")
    body: list[tuple] | None = None
    for raw in text.split(term_t):
        seg = raw.lstrip("\r\n").split(sep_t)
        if seg[0] == "ST" and len(seg) > 2 and seg[2] == st02:
            body = []
        elif body is not None and seg[0] == "SE":
            return tuple(body)
        elif body is not None:
            body.append(tuple(v if not comp_t or comp_t not in v else tuple(v.split(comp_t)) for v in seg))
    return None
