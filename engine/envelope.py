"""Outbound envelopes: ISA/GS/ST..SE/GE/IEA around transaction sets, with given control numbers.

Pure: numbers and the clock come in as arguments (the flow takes them from the state store), so
the same inputs give byte-identical documents. Delimiters are chosen per document from the
partner's candidate sets (the profile's, then its fallbacks), the first that no value uses: values
are never altered; when every set collides the caller holds the document (`delimiters_for` is None).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache

from engine.early_release import early_body
from parsers.x12_writer import (
    DelimiterCollision,
    Segment,
    delimiter_chars,
    first_free,
    fixed_decimals,
    render_segment,
    render_segments,
    render_x12,
    used_chars,
)
from schemas.interchange_codes import isa_codes
from schemas.profile import PartnerProfile
from schemas.x12 import Address, Delimiters, gs_id_valid
from schemas.x12dict import EARLY_997_RELEASES, base_version, built_by, dictionary, written_in


@dataclass(frozen=True, slots=True)
class Envelope:
    sender_qualifier: str
    sender_id: str
    receiver_qualifier: str
    receiver_id: str
    gs_sender: str
    gs_receiver: str
    version: str  # GS08, e.g. 004010
    usage: str  # ISA15
    delimiters: Delimiters
    fallbacks: tuple[Delimiters, ...] = ()  # tried in order when a value uses one of ``delimiters``
    gs_version: str = ""  # GS08 when the partner wants an industry identifier after the version (004010VICS)
    isa_control: str = ""  # ISA12 when the partner's guide names another control version than the version's (00400)
    # the R elements written with a fixed number of decimals (X12Settings price_decimals / quantity_decimals):
    # (segment id, element position, fewest decimals, the element's maximum length) each
    decimals: tuple[tuple[str, int, int, int], ...] = ()
    # GS08 per set id where the partner's guides name one per transaction set (X12Settings.gs_versions: "810",
    # "004010X348"), sorted pairs
    gs_versions: tuple[tuple[str, str], ...] = ()

    @property
    def gs08(self) -> str:
        return self.gs_version or self.version

    def gs08_for(self, set_id: str) -> str:
        """GS08 of a group of ``set_id`` sets: its own (gs_versions), else gs08."""
        for kind, gs08 in self.gs_versions:
            if kind == set_id:
                return gs08
        return self.gs08

    @property
    def isa_version(self) -> str:
        return self.isa_control or self.version[:5]  # 004010 -> 00401, 005010 -> 00501

    @property
    def candidates(self) -> tuple[Delimiters, ...]:
        """The delimiter sets this envelope may use, in order; before 00402 ISA11 is "U" and there is
        no repetition separator, so its character may appear in data."""
        return _candidates(self.delimiters, self.fallbacks, self.isa_version)


@lru_cache(maxsize=256)
def _candidates(delimiters: Delimiters, fallbacks: tuple[Delimiters, ...], isa_version: str) -> tuple[Delimiters, ...]:
    sets = (delimiters, *fallbacks)
    if isa_version >= "00402":
        return sets
    return tuple(replace(d, repetition="") for d in sets)


def envelope_for(profile: PartnerProfile) -> Envelope:
    x = profile.x12
    return Envelope(sender_qualifier=x.our_qualifier, sender_id=x.our_id, receiver_qualifier=x.their_qualifier,
                    receiver_id=x.their_id, gs_sender=x.our_gs_id, gs_receiver=x.their_gs_id, version=x.version,
                    usage=x.usage, delimiters=x.delimiters.to_delimiters(),
                    fallbacks=tuple(f.to_delimiters() for f in x.fallback_delimiters), gs_version=x.gs_version or "",
                    isa_control=x.isa_version or "", decimals=_decimals(x.version, x.price_decimals,
                                                                        x.quantity_decimals),
                    gs_versions=x.gs_versions)


def asn_address(profile: PartnerProfile) -> Address | None:
    """The Address of the partner's 856s when [fulfilment.asn] version names another release than the profile's
    (its GS08 and ISA12: engine.envelope.addressed), else None."""
    version = profile.fulfilment.asn.version
    if not version or profile.x12 is None or version == profile.x12.version:
        return None
    return Address(version=version)


def asn_envelope(profile: PartnerProfile) -> Envelope:
    """envelope_for(profile) as its 856s are written (asn_address: in the release of its 856 guide)."""
    return addressed(envelope_for(profile), asn_address(profile))


PRICES = (("PO1", 4), ("IT1", 4), ("CTP", 3))  # the unit prices of our 855s and 810s
QUANTITIES = (("PO1", 2), ("ACK", 2), ("SN1", 2), ("SN1", 5), ("IT1", 2))  # the quantities of our 855s, 856s, 810s


def _decimals(version: str, prices: int | None, quantities: int | None) -> tuple[tuple[str, int, int, int], ...]:
    """Envelope.decimals of a profile's price_decimals and quantity_decimals, with each element's maximum length
    in ``version``'s dictionary."""
    d = dictionary(version)
    out = []
    for places, wanted in ((PRICES, prices), (QUANTITIES, quantities)):
        for seg, at in places if wanted else ():
            use = d.segments[seg].elements[at - 1] if d is not None else None
            out.append((seg, at, wanted, use.element.max if use is not None and use.element is not None else 15))
    return tuple(out)


@lru_cache(maxsize=64)
def _places(decimals: tuple[tuple[str, int, int, int], ...]) -> dict[str, dict[int, tuple[int, int]]]:
    out: dict[str, dict[int, tuple[int, int]]] = {}
    for seg, at, n, longest in decimals:
        out.setdefault(seg, {})[at] = (n, longest)
    return out


def ack_version(profile: PartnerProfile, gs08: str) -> str:
    """The GS08 a 997 for a group of GS08 ``gs08`` is written with when it is not the profile's (""). What the
    profile says we send wins: an [x12] gs_versions "997" entry, and its gs_version for a group of its own release.
    Else, with [acks] version "group" (the default), the group's own GS08, its industry identifier kept (003060VICS,
    004030VICS, 004010UCS: a translator set up for that version refuses an acknowledgment labelled otherwise; a
    TR3's, 004010X357, is not: industry_gs08), when
    its release is one we write a 997 in (_PUBLISHED_997: 004010-004060, 005010-005050; and 002001-003070,
    EARLY_997_RELEASES) and it is not the profile's GS08: a partner profiled 004010 whose translator sends a 005010
    group gets a 005010 997 (AK1 with AK103), one sending 003060VICS a 003060VICS 997 (built by 003060's
    dictionary, ack_built_as), as translators match an acknowledgment to the group it answers; a group in a later
    version (006020, 007010) is answered in the profile's. "profile": always the profile's (a partner whose
    agreement fixes the 997's version). A GS08 written without its leading zeros ("4010") is answered by its
    release (004010). The 997 used to drop the identifier (003060 for 003060VICS)."""
    if profile.acks.version != "group" or profile.x12 is None:
        return ""
    x = profile.x12
    if any(kind == "997" for kind, _gs08 in x.gs_versions):
        return ""  # the profile names the 997's GS08
    theirs = base_version(gs08)
    if theirs not in _PUBLISHED_997:
        return ""
    sent = industry_gs08(gs08)
    ours = x.gs_version or x.version
    if theirs == base_version(ours) and (x.gs_version or sent == ours):
        return ""  # its own release: the profile's GS08 (its gs_version when it names one)
    return sent


# a release and an industry identifier (004010VICS, 005010UCS), not a TR3's (004010X357, 005010X222A1)
_GS08 = re.compile(r"\d{6}(?!X\d)[A-Z][A-Z0-9]{0,5}")


def industry_gs08(gs08: str) -> str:
    """The GS08 a 997 answering a group of GS08 ``gs08`` writes for that group (its release being one we answer):
    ``gs08`` itself when it is a release and an industry identifier (003060VICS, 004010UCS: a convention of the
    industry's, for its acknowledgments too), else its release: a TR3's identifier (004010X357, the aerospace 850's
    guide; 005010X222A1) names the guide of that group's sets, not of a 997 (a profile names a 997 TR3 in
    gs_versions "997"); "4010" -> 004010; a GS08 damaged past that ("005010~" of a file whose segments end
    otherwise), its release alone."""
    text = gs08.strip()
    return text if _GS08.fullmatch(text) else base_version(text)


ISA12 = re.compile(r"00[2-8]0\d")  # an interchange control version (I11), as [x12] isa_version takes one


def ta1_version(profile: PartnerProfile, isa12: str) -> str:
    """The ISA12 a TA1 answering an interchange of ISA12 ``isa12`` is written with when it is not the profile's (""):
    with [acks] version "group" (the default, as for 997s: ack_version) that interchange's own control version, so
    the translator that wrote it reads its answer; an ISA12 that is no control version (a TA1 rejecting it), or
    [acks] version "profile", the profile's."""
    if profile.acks.version != "group" or profile.x12 is None or not ISA12.fullmatch(isa12 := isa12.strip()):
        return ""
    return "" if isa12 == envelope_for(profile).isa_version else isa12


# the releases whose 997 we write for their groups: the 004010 and 005010 ones X12 published (004060 and 005050
# were the last), each built by its version's dictionary (built_by), and the early ones
_PUBLISHED_997 = frozenset({*(f"0040{r}0" for r in range(1, 7)), *(f"0050{r}0" for r in range(1, 6)),
                            *EARLY_997_RELEASES})
PUBLISHED_997 = _PUBLISHED_997  # (engine.warehouse_acks: a 3PL's 945 group answered in its release, as a partner's)


def ack_built_as(profile: PartnerProfile, release: str) -> str:
    """The version a 997 of GS08 ``release`` (ack_version; "": the profile's) is built as (engine.acks.build_997's
    ``version``): the version whose dictionary builds that release (005030 -> 005010), an early release's own."""
    return (built_by(release) or base_version(release)) if release else profile.x12.version


def gs_date(env: Envelope, now: datetime) -> str:
    """GS04: CCYYMMDD, YYMMDD before 004010 (a 997 in an early release, EARLY_997_RELEASES)."""
    return now.strftime("%y%m%d" if env.version < "004010" else "%Y%m%d")


def reply_address(profile: PartnerProfile, isa_qualifier: str, isa_id: str, gs_id: str,
                  our_gs_id: str = "", *, version: str = "", isa_version: str = "", our_qualifier: str = "",
                  our_id: str = "") -> Address | None:
    """Whom an answer to an interchange from ISA05/ISA06 ``isa_qualifier``/``isa_id`` to ISA07/ISA08
    ``our_qualifier``/``our_id`` and a group from GS02 ``gs_id`` to GS03 ``our_gs_id`` goes to, and from which of
    our ids, where it is not the profile's [x12] their_* / our_* (None: the profile's, as before). X12 997 note: the
    acknowledgment's GS takes the acknowledged group's application sender and receiver codes exchanged (its GS03 is
    that group's GS02, its GS02 that group's GS03), and a network routes a buyer's 855/856/810 by GS03: each answers
    the buyer that wrote, from the id it wrote to (a company with one application id per division). Likewise the
    interchange: to the ISA05/ISA06 that wrote (a partner's other ids, [x12] their_ids), from the ISA07/ISA08 it
    wrote to (ours, [x12] our_ids; a pair of ours the profile does not list is not written from: the profile's).
    ``version`` / ``isa_version``: the answer's release (ack_version) / interchange control version (ta1_version)
    when not the profile's."""
    x = profile.x12
    if x is None:
        return None
    isa_qualifier, isa_id, gs_id, our_gs_id = isa_qualifier.strip(), isa_id.strip(), gs_id.strip(), our_gs_id.strip()
    # an ISA05/ISA06 pair X12 does not allow (a damaged ISA read "GS" as the qualifier) is not echoed: the profile's
    if isa_id and not _isa_party_valid(isa_qualifier, isa_id):
        isa_qualifier, isa_id = "", ""
    # an id X12 does not allow in a GS (rules.envelope: GS_APPLICATION_ID_INVALID) is not echoed: the profile's
    gs_id = gs_id if gs_id_valid(gs_id) else ""
    our_gs_id = our_gs_id if gs_id_valid(our_gs_id) else ""
    # an id the partner moved from ([x12] former_ids / former_gs_ids) is answered at the profile's, never echoed
    isa = isa_id and (isa_qualifier, isa_id) != (x.their_qualifier.strip(), x.their_id.strip()) and \
        (isa_qualifier, isa_id) not in x.former_ids
    gs = gs_id and gs_id != x.their_gs_id.strip() and gs_id not in x.former_gs_ids
    ours = our_gs_id and our_gs_id != x.our_gs_id.strip()
    our_qualifier, our_id = our_qualifier.strip(), our_id.strip()
    # we write from one of our listed ids only (an ISA07/ISA08 not ours was ISA_RECEIVER_UNKNOWN: answered, if at
    # all, from the profile's)
    # (or from the one of ours they wrote to before a dated change switched it, previous_our_ids: the 997 of a
    # straggler echoes the envelope it answers)
    us = (x.our_ids or x.previous_our_ids) and our_id and (our_qualifier, our_id) != (x.our_qualifier, x.our_id) and \
        ((our_qualifier, our_id) in x.our_ids or (our_qualifier, our_id) in x.previous_our_ids)
    if not (isa or gs or ours or version or isa_version or us):
        return None
    return Address(isa_qualifier if isa else "", isa_id if isa else "", gs_id if gs else "", our_gs_id if ours else "",
                   version, isa_version, our_qualifier if us else "", our_id if us else "")


def order_address(profile: PartnerProfile, ids: Sequence[str]) -> Address | None:
    """Whom an order's 855/865/856/810 go to, and from which of our ids: reply_address of the ids the order keeps
    (``ids``: GS02, GS03 and, when kept, ISA05, ISA06, ISA07, ISA08 of its 850 or latest 860; connectors.state
    StateStore.buyer_gs_ids). Its ISA05/ISA06 is written to while [x12] their_ids still lists it (a pair ops took
    out of the profile, the partner's old VAN id after a move, is written to no more: their_qualifier/their_id);
    its ISA07/ISA08 is written from while our_ids lists it."""
    gs02, gs03, isa05, isa06, isa07, isa08 = (*ids, "", "", "", "")[:6]
    x = profile.x12
    if x is not None and (isa05, isa06) not in x.their_ids:
        isa05, isa06 = "", ""
    # an order that came from or to ids a dated change replaced ([[changes]]: previous_our_ids, previous_gs_ids,
    # previous_our_gs_ids) is answered at the ids in effect: documents sent from the switch date follow it
    if x is not None and (isa07, isa08) not in x.our_ids:
        isa07, isa08 = "", ""
    if x is not None and gs02 in x.previous_gs_ids:
        gs02 = ""
    # an order from the GS02 a change still to come moves the partner to (taken early, PARTNER_SWITCH_EARLY) is
    # answered at the GS id in effect until the switch date (its ISA05/ISA06, on no list yet, likewise): from it, at
    # the new ones. (A network's buyer a change lists, their_gs_ids, is answered where it wrote, as any buyer)
    if x is not None and gs02 and gs02 in profile.announced_gs_ids(listed=False):
        gs02 = ""
    if x is not None and gs03 in x.previous_our_gs_ids:
        gs03 = ""
    return reply_address(profile, isa05, isa06, gs02, gs03, our_qualifier=isa07, our_id=isa08)


def _isa_party_valid(qualifier: str, isa_id: str) -> bool:
    """An ISA05/ISA06 (stripped) an ISA we write may carry: a qualifier of some interchange control version's list
    (element I05) and an id of 1-15 printable characters."""
    return qualifier in isa_codes("ISA05", "") and 0 < len(isa_id) <= 15 and isa_id.isascii() and isa_id.isprintable()


def addressed(env: Envelope, to: Address | None) -> Envelope:
    """``env`` sent to ``to`` (its non-empty parts replace ISA07/ISA08, GS03, GS02 and ISA05/ISA06); ``env`` when
    None (every document of a partner that is one buyer: no hashing on the hot path)."""
    return env if to is None else _addressed(env, to)


@lru_cache(maxsize=1024)
def _addressed(env: Envelope, to: Address) -> Envelope:
    env = replace(env, receiver_qualifier=to.isa_qualifier or env.receiver_qualifier,
                  receiver_id=to.isa_id or env.receiver_id, gs_receiver=to.gs_id or env.gs_receiver,
                  gs_sender=to.gs_sender or env.gs_sender, sender_qualifier=to.isa_sender_qualifier or
                  env.sender_qualifier, sender_id=to.isa_sender_id or env.sender_id)
    # another GS08 (ack_version): its release and industry identifier (003060VICS: version 003060, GS08 003060VICS),
    # and the ISA12 of that release (the profile's isa_version for a GS08 of the profile's release)
    if to.version:
        release = base_version(to.version)
        env = replace(env, version=release, gs_version="" if to.version == release else to.version,
                      isa_control=env.isa_control if release == env.version else "", gs_versions=())
    # another control version (ta1_version): the ISA12 of the interchange a TA1 answers
    return replace(env, isa_control=to.isa_version) if to.isa_version else env


def envelope_allows(env: Envelope, d: Delimiters) -> bool:
    """True when none of the envelope's own values (a buyer's GS id, ``addressed``) holds one of ``d``'s
    delimiters: a set a planner chose for the profile's envelope still writes this one."""
    return first_free(set(_envelope_chars(env)), (d,)) is not None


def delimiters_for(env: Envelope, bodies: Sequence[Sequence[Segment]]) -> Delimiters | None:
    """The first of the envelope's candidate sets that no value of ``bodies`` (nor of the envelope
    itself) uses; None when every set collides: the document cannot be sent without altering a value."""
    return first_fit(env, body_chars(bodies))


def body_chars(bodies: Sequence[Sequence[Segment]]) -> set[str]:
    """x12_writer.used_chars of every segment of ``bodies``, on the hot path (every 856 and 810 is
    scanned when it is held or rendered): the same values (ISA via used_chars itself), without a
    generator step per value."""
    parts: list[str] = []
    add = parts.append
    for body in bodies:
        for seg in body:
            if seg and seg[0] == "ISA":
                parts.extend(used_chars([seg]))
                continue
            try:  # every value a string (most segments): one join
                add("".join(seg[1:]))
                continue
            except TypeError:
                pass
            for v in seg[1:]:
                if v.__class__ is str:
                    add(v)
                elif isinstance(v, (tuple, list)):
                    parts.extend(str(x) for x in v if x is not None)
                elif v is not None:
                    add(str(v))
    return set("".join(parts))


def first_fit(env: Envelope, used: set[str]) -> Delimiters | None:
    """delimiters_for when the characters the bodies' values hold are known already (``used``)."""
    return first_free(used | _envelope_chars(env), env.candidates)


@lru_cache(maxsize=256)
def _envelope_chars(env: Envelope) -> frozenset[str]:
    """Characters the envelope's own values hold (dates, times and control numbers are digits: they
    never collide, so any will do)."""
    now = datetime(2000, 1, 1)
    envelope = [isa_segment(env, 0, now), ["GS", "", env.gs_sender, env.gs_receiver, "", "", "", "X", env.gs08,
                                           *(v for _k, v in env.gs_versions)]]
    return frozenset(used_chars(envelope))


def isa_segment(env: Envelope, isa13: int, now: datetime, ack_requested: str = "0",
                d: Delimiters | None = None) -> list[str]:
    d = d or env.candidates[0]
    rep = d.repetition if env.isa_version >= "00402" and d.repetition else "U"
    return ["ISA", "00", " " * 10, "00", " " * 10, env.sender_qualifier.ljust(2), env.sender_id.ljust(15)[:15],
            env.receiver_qualifier.ljust(2), env.receiver_id.ljust(15)[:15], now.strftime("%y%m%d"),
            now.strftime("%H%M"), rep, env.isa_version, f"{isa13:09d}", ack_requested, env.usage, d.component]


def _chosen(env: Envelope, bodies: Sequence[Sequence[Segment]], d: Delimiters | None) -> Delimiters:
    d = d or delimiters_for(env, bodies)
    if d is None:
        raise DelimiterCollision("every candidate delimiter set occurs in the document's values")
    return d


def wrap(env: Envelope, functional_id: str, set_id: str, bodies: list, *, isa13: int, gs06: int,
         st02s: list[int], now: datetime, delimiters: Delimiters | None = None) -> bytes:
    """One interchange with one functional group holding one transaction set per body, written with
    ``delimiters`` (default: `delimiters_for`; DelimiterCollision when no candidate fits). A body is a
    list of segments, or (text, segment count) already rendered with ``delimiters`` (then required)."""
    if len(st02s) != len(bodies):
        raise ValueError("one ST02 per transaction set body is required")
    segmented = [b for b in bodies if not _rendered(b)]
    if len(segmented) != len(bodies) and delimiters is None:
        raise ValueError("a body rendered beforehand needs the delimiters it was rendered with")
    d = _chosen(env, segmented, delimiters)
    end = d.segment + d.suffix
    e = d.element
    gs08 = env.gs08_for(set_id)
    early = written_in(set_id, gs08)  # a set in a release before 004010 ([x12] gs_versions "856" = "003050")
    if early:
        env = _early(env, gs08)
    cut = _head(env, functional_id, now, d, gs08)
    if cut is None:
        out = [render_segments([isa_segment(env, isa13, now, d=d),
                                ["GS", functional_id, env.gs_sender, env.gs_receiver, gs_date(env, now),
                                 now.strftime("%H%M"), str(gs06), "X", gs08]], d)]
    else:
        out = [cut[0], f"{isa13:09d}", cut[1], str(gs06), cut[2]]
    # ST/SE hold the set id and digits: when no delimiter is among them, they are written directly (a
    # run's interchange holds thousands of sets); else render_segment raises DelimiterCollision as ever
    direct = bool(set_id) and not set(set_id + "0123456789") & set(d.element + d.component + d.segment +
                                                                     d.repetition)
    for body, st02 in zip(bodies, st02s, strict=False):
        st = f"{st02:04d}"
        text, count = body if _rendered(body) else (render_body(body, d), len(body))
        if env.decimals:
            text = fixed_decimals(text, d, _places(env.decimals))
        if early:
            text = early_body(text, d, gs08)
        if direct:
            out += [f"ST{e}{set_id}{e}{st}", end, text, f"SE{e}{count + 2}{e}{st}", end]
        else:
            out += [render_segment(["ST", set_id, st], d), end, text, render_segment(["SE", str(count + 2), st], d),
                    end]
    if cut is None:
        out.append(render_segments([["GE", str(len(bodies)), str(gs06)], ["IEA", "1", f"{isa13:09d}"]], d))
    else:  # digits only: no value can hold a delimiter
        out += ["GE", e, str(len(bodies)), e, str(gs06), end, "IEA", e, "1", e, f"{isa13:09d}", end]
    return "".join(out).encode("utf-8")


@lru_cache(maxsize=64)
def _early(env: Envelope, gs08: str) -> Envelope:
    """``env`` as a group of GS08 ``gs08``, a release before 004010 we write a set in, is sent: its GS08, GS04 YYMMDD
    (gs_date) and the release's own ISA12 (00305 for 003050: the interchange holds that group alone), whatever the
    profile's version and isa_version."""
    release = base_version(gs08)
    return replace(env, version=release, gs_version="" if gs08 == release else gs08,
                   isa_control="00" + release[2:5], gs_versions=())


@lru_cache(maxsize=256)
def _head(env: Envelope, functional_id: str, now: datetime, d: Delimiters, gs08: str = ""
          ) -> tuple[str, str, str] | None:
    """ISA and GS as ``wrap`` renders them (render_segments, DelimiterCollision as ever), cut around
    ISA13 and GS06: (before ISA13, between ISA13 and GS06, after GS06). The numbers are digits, so the
    text around them does not depend on them - unless a delimiter is a digit (None: render each time).
    A run wraps thousands of documents in one envelope; this renders it once."""
    if any(ch.isdigit() for ch in (d.element, d.component, d.segment, d.repetition, d.suffix)):
        return None
    isa = isa_segment(env, 0, now, d=d)
    gs = ["GS", functional_id, env.gs_sender, env.gs_receiver, gs_date(env, now), now.strftime("%H%M"), "0", "X",
          gs08 or env.gs08]
    text = render_segments([isa, gs], d)
    e = d.element
    at13 = len(e.join(isa[:13])) + len(e)  # ISA is written whole (fixed layout): ISA13 after 13 values
    at06 = len(render_segments([isa], d)) + len(e.join(gs[:6])) + len(e)  # GS06 follows six non-empty-or-kept values
    if text[at13:at13 + 9] != "000000000" or text[at06:at06 + 2] != "0" + e:
        return None
    return text[:at13], text[at13 + 9:at06], text[at06 + 1:]


def render_body(segments: Sequence[Segment], d: Delimiters) -> str:
    """x12_writer.render_segments of one transaction set's body, byte for byte, on the hot path (every
    856 and 810; a planner that renders its own sets passes the text to ``wrap`` with ``d``): a
    segment's values are checked against the delimiters all at once, and a segment with a collision
    goes through render_segment, which raises DelimiterCollision as it would."""
    chars = tuple(ch for ch in (d.element, d.component, d.segment, d.repetition) if ch)
    single = frozenset(chars) if all(len(ch) == 1 for ch in chars) else None
    element, component, end = d.element, d.component, d.segment + d.suffix
    out: list[str] = []
    for seg in segments:
        if seg[0] == "ISA":
            out.append(render_segment(seg, d) + end)
            continue
        if single is not None:  # every value a string (most segments): joined at once
            try:
                raw = "".join(seg[1:])
                text = element.join(seg)
            except TypeError:
                pass
            else:
                if not single.isdisjoint(raw):
                    out.append(render_segment(seg, d) + end)  # raises DelimiterCollision
                    continue
                if seg[-1] == "":
                    n = len(seg)
                    while n > 1 and seg[n - 1] == "":
                        n -= 1
                    text = element.join(seg[:n])
                out.append(text + end)
                continue
        parts: list[str] = [str(seg[0])]
        values: list[str] = []
        for v in seg[1:]:
            if v.__class__ is str:
                parts.append(v)
                values.append(v)
            elif isinstance(v, (tuple, list)):
                comps = ["" if c is None else str(c) for c in v]
                values += comps
                while comps and comps[-1] == "":
                    comps.pop()
                parts.append(component.join(comps))
            else:
                text = "" if v is None else str(v)
                parts.append(text)
                values.append(text)
        raw = "".join(values)
        if any(ch in raw for ch in chars):
            out.append(render_segment(seg, d) + end)  # raises DelimiterCollision
            continue
        while len(parts) > 1 and parts[-1] == "":
            parts.pop()
        out.append(element.join(parts) + end)
    return "".join(out)




def joined_body(body: list, d: Delimiters, chars: str) -> str | None:
    """``body`` rendered with ``d`` (single-character delimiters ``chars``) as render_body renders it,
    when every segment id and value is text holding none of ``chars``; else None. Joined whole, then
    checked by counting: each of ``chars`` occurs as often as the joining put it (element separators,
    terminators and their suffixes) only when no value holds it. With no value holding a separator
    or terminator, an element separator just before a terminator is a trailing empty element: dropped."""
    e, end = d.element, d.segment + d.suffix
    try:
        text = end.join(map(e.join, body)) + end
    except TypeError:
        return None
    n = len(body)
    separators = sum(map(len, body)) - n
    if any(text.count(ch) != n * end.count(ch) + (separators if ch == e else 0) for ch in chars):
        return None
    trailing = e + end
    while trailing in text:
        text = text.replace(trailing, end)
    return text


@lru_cache(maxsize=256)
def usual_delimiters(env: Envelope) -> tuple[Delimiters, str] | None:
    """The set first_fit chooses when no value holds a delimiter (the first the envelope's own values
    leave free) and its characters, when its delimiters are single characters (None otherwise)."""
    d = first_fit(env, set())
    if d is None or not all(len(ch) == 1 for ch in (d.element, d.component, d.segment, d.repetition) if ch):
        return None
    return d, delimiter_chars((d,))


def _rendered(body) -> bool:
    return isinstance(body, tuple) and len(body) == 2 and isinstance(body[0], str)


def wrap_ta1(env: Envelope, ta1: Segment, *, isa13: int, now: datetime, delimiters: Delimiters | None = None) -> bytes:
    """A TA1 travels alone in an interchange with no functional group."""
    d = _chosen(env, [[ta1]], delimiters)
    segs: list[Segment] = [isa_segment(env, isa13, now, d=d), ta1, ["IEA", "0", f"{isa13:09d}"]]
    return render_x12(segs, d)
