"""Partner profile model (pydantic, frozen, extra=forbid): validated once when loaded.

Profiles are committed without secrets: an SFTP password or key passphrase is named by the
environment variable (or Prefect Secret block) that holds it, never stored here.
"""

from __future__ import annotations

import functools
import posixpath
import re
import tomllib
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from schemas.allocation import AllocationPolicy
from schemas.errors import ConfigError
from schemas.finance import FinanceSettings
from schemas.fulfilment import FulfilmentSettings, OrderRef, PoAckSettings
from schemas.outcomes import NAMED
from schemas.rule_settings import PartnerRuleOverrides
from schemas.transport import CSV_ACK, DOC_KEYS, X12_TYPES, check_patterns, parse_pattern
from schemas.x12 import GS_ID_PATTERN, Delimiters


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DelimiterSettings(_Model):
    element: str = "*"
    component: str = ">"
    repetition: str = "^"
    segment: str = "~"
    suffix: Literal["", "\n", "\r\n"] = "\n"

    @model_validator(mode="after")
    def _distinct(self) -> DelimiterSettings:
        chars = [self.element, self.component, self.segment] + ([self.repetition] if self.repetition else [])
        if any(len(c) != 1 for c in chars):
            raise ValueError("each delimiter must be exactly one character")
        if len(set(chars)) != len(chars):
            raise ValueError(f"delimiters must be distinct: {chars}")
        if any(c.isalnum() or c == " " for c in chars):
            raise ValueError("delimiters may not be letters, digits or spaces")
        # what we send is in the X12 character sets: ASCII punctuation; only the segment terminator
        # may be a line break (then nothing follows it)
        if any(not ("!" <= c <= "~") for c in chars if c != self.segment) or \
                not ("!" <= self.segment <= "~" or self.segment in "\r\n"):
            raise ValueError("delimiters must be printable ASCII punctuation (the terminator may be CR or LF)")
        if self.segment in "\r\n" and self.suffix:
            raise ValueError("a line-break terminator takes no suffix")
        return self

    def to_delimiters(self) -> Delimiters:
        return Delimiters(self.element, self.component, self.repetition, self.segment, self.suffix)

    def chars(self) -> str:
        """The delimiter characters (element, component, repetition, segment terminator)."""
        return self.element + self.component + self.repetition + self.segment


class LimitSettings(_Model):
    """The budgets of one partner's files (engine.budgets): a file over ``max_file_bytes`` is never
    read; one with more than ``max_sets_per_file`` transaction sets is not checked set by set; at most
    ``max_findings_per_set`` findings are kept per set and ``max_findings_per_file`` per file, the rest
    counted in a FINDINGS_CAPPED finding; a transaction set over ``max_set_bytes`` is never held in
    memory (SET_TOO_LARGE, rejected in the 997). Raise them for a partner whose big files are expected."""

    max_file_bytes: int = Field(default=50_000_000, ge=1)
    max_set_bytes: int = Field(default=32_000_000, ge=1)
    max_sets_per_file: int = Field(default=50_000, ge=1)
    max_findings_per_set: int = Field(default=100, ge=1)
    max_findings_per_file: int = Field(default=5_000, ge=1)


# Outbound delimiter sets tried, in order, after the profile's own when a value we send contains one
# of its characters (a PO number "A*B>C"). X12 receivers read the delimiters from each ISA, so any
# set is standard; these avoid the usual ones and each other. A profile may list its own, or none
# (then such a document is held, with a finding, instead of being sent).
FALLBACK_DELIMITERS = (
    DelimiterSettings(element="|", component="\\", repetition="{", segment="~"),
    DelimiterSettings(element="!", component="@", repetition="}", segment="`"),
)


# What our envelopes may carry (ISA05-08 ID 2/2 and AN 15/15, GS02/03 AN 2/15): printable ASCII that
# neither starts nor ends with a space, so every ISA we write keeps its fixed width (we pad IDs).
_QUALIFIER = r"^[A-Z0-9]{2}$"
_ISA_ID = r"^[!-~]([ -~]{0,13}[!-~])?$"
_GS_ID = GS_ID_PATTERN


class PartnerGuide(_Model):
    """What one partner's implementation guide promises beyond the X12 standard: segments it never
    sends, and the code values it uses per element (keyed by reference: "BEG02", "PO103", "MEA04-01").
    Optional and never a default: without it we accept everything the standard accepts."""

    never_sends: tuple[str, ...] = ()  # segment ids
    codes: dict[str, tuple[str, ...]] = {}
    severity: Literal["warning", "error"] = "warning"  # error: the set is rejected in the 997 (AK3 2 / AK4 7)

    @field_validator("never_sends")
    @classmethod
    def _segment_ids(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        bad = [s for s in v if not re.fullmatch(r"[A-Z][A-Z0-9]{1,2}", s)]
        if bad:
            raise ValueError(f"not segment ids: {bad}")
        return v

    @field_validator("codes")
    @classmethod
    def _element_refs(cls, v: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        bad = [k for k in v if not re.fullmatch(r"[A-Z][A-Z0-9]{1,2}\d{2}(-\d{2})?", k)]
        if bad:
            raise ValueError(f"not element references like 'PO103' or 'MEA04-01': {bad}")
        return v


def isa_pairs(v: object) -> object:
    """Each entry "QQ:ID" or [qualifier, id] as a (qualifier, id) pair, each part as their_qualifier and their_id
    take it (an interchange id qualifier: 2 letters or digits; an id of 1-15 printable characters, no leading or
    trailing space): [x12] their_ids / our_ids, and a 3PL's [sender] their_ids (schemas.warehouses)."""
    if not isinstance(v, list | tuple):
        return v
    pairs, bad = [], []
    for entry in v:
        if isinstance(entry, str) and len(entry) > 3 and entry[2] == ":":
            entry = (entry[:2], entry[3:])
        if not (isinstance(entry, list | tuple) and len(entry) == 2 and all(isinstance(p, str) for p in entry)
                and re.fullmatch(_QUALIFIER, entry[0]) and re.fullmatch(_ISA_ID, entry[1])):
            bad.append(entry)
            continue
        pairs.append((entry[0], entry[1]))
    if bad:
        raise ValueError(f"not interchange ids, each \"QQ:ID\" or [qualifier, id] (a qualifier of 2 letters or "
                         f"digits, an id of 1-15 printable characters, no leading or trailing space): {bad}")
    return tuple(pairs)


def claimed_ids(raw: object) -> tuple[frozenset[tuple[str, str]], frozenset[tuple[str, str]]] | None:
    """The interchange ids a profile's TOML names, read without validating it (a profile that does not load: the
    VAN mailbox says whose interchange it holds back, flows.mailbox): its [x12] senders (their_qualifier/their_id,
    their_ids, former_ids) and our ids it writes to (our_qualifier/our_id, our_ids; empty: any). None when the
    table names no sender that can be read."""
    x12 = raw.get("x12") if isinstance(raw, dict) else None
    if not isinstance(x12, dict):
        return None

    def pairs(single: tuple[str, str], lists: tuple[str, ...]) -> set[tuple[str, str]]:
        out = set()
        q, i = x12.get(single[0]), x12.get(single[1])
        if isinstance(q, str) and isinstance(i, str):
            out.add((q.strip(), i.strip()))
        for key in lists:
            try:
                got = isa_pairs(x12.get(key, ()))
            except ValueError:
                continue
            if isinstance(got, tuple):
                out.update(got)
        return out

    senders = pairs(("their_qualifier", "their_id"), ("their_ids", "former_ids"))
    return (frozenset(senders), frozenset(pairs(("our_qualifier", "our_id"), ("our_ids",)))) if senders else None


class X12Settings(_Model):
    their_qualifier: str = Field(pattern=_QUALIFIER)
    their_id: str = Field(pattern=_ISA_ID)
    our_qualifier: str = Field(pattern=_QUALIFIER)
    our_id: str = Field(pattern=_ISA_ID)
    # The other interchange senders (ISA05/ISA06) the partner may send from besides their_qualifier/their_id: a
    # VAN move (a new qualifier 08 -> ZZ, or a new id), a retailer's divisions or banners each with its own ISA id
    # through one connection, a DUNS (01) and a DUNS+4 (14) or a phone number (12) for one company. Written
    # "QQ:ID" ("14:0123456780001") or [qualifier, id] (["14", "0123456780001"]), kept as (qualifier, id) pairs.
    # An interchange from a listed pair is the partner's (no finding); from a pair on neither, as before,
    # PARTNER_SENDER_MISMATCH (the file quarantined). Each answer goes to the pair that wrote: the interchange's
    # TA1 and 997, and each order's 855/865/856/810 (to the pair its 850 came from, or its latest 860's) while that
    # pair is still listed (one taken out of the list: their_qualifier/their_id). Empty (the default): one sender
    their_ids: tuple[tuple[str, str], ...] = ()
    # Our other interchange ids (ISA07/ISA08) this partner may write to besides our_qualifier/our_id (our DUNS one
    # day, our ZZ id the next), written and kept as their_ids. An interchange to a listed pair is ours; to a pair on
    # neither, as before, ISA_RECEIVER_UNKNOWN (TA1 R). Each answer is sent from the pair written to (ISA05/ISA06),
    # as their_ids' go to the pair that wrote. Empty (the default): one id of ours
    our_ids: tuple[tuple[str, str], ...] = ()
    # The ISA05/ISA06 pairs the partner sent from before it moved (another VAN, another id) and asks us to answer at
    # no more, written as their_ids: an interchange from one is still the partner's (a straggler its old VAN delivers
    # late is taken, not quarantined), but nothing goes there: its TA1 and 997, and every 855/865/856/810 of an order
    # that came from one, go to their_qualifier/their_id (a pair of their_ids is answered where it wrote). Empty (the
    # default): none
    former_ids: tuple[tuple[str, str], ...] = ()
    # The ISA05/ISA06 pairs they sent from / the ISA07/ISA08 pairs of ours they wrote to before the dated change
    # in effect ([[changes]], PartnerProfile.on): filled from the settings that change replaced, so that an
    # interchange built before the switch and delivered after it (a VAN's straggler) is still the partner's and is
    # acknowledged where it came from (its TA1 and 997 echo its envelope) while every 855/865/856/810 sent from the
    # switch date goes to and from the new ids. Written by hand they act the same. Empty (the default): none
    previous_ids: tuple[tuple[str, str], ...] = ()
    previous_our_ids: tuple[tuple[str, str], ...] = ()
    # An interchange from (or to) ids a dated change still to come announces ([[changes]] effective after the run's
    # date: a buyer on a new VAN sending its test or first files days before the agreed date) is the partner's, with
    # PARTNER_SWITCH_EARLY naming the change and its date. "take" (the default): taken as any of the partner's, its
    # TA1 and 997 echoing its envelope (the new translator matches them), its orders' 855/865/856/810 going to the
    # ids in effect until the switch date and to the new ones from it; "hold": the file quarantined unanswered (the
    # finding an error) until the night of the switch date, which takes it from its kept copy (FILE_RETAKEN says
    # why; flows.intake), for a partner whose early files are tests or must wait for the date
    early_ids: Literal["take", "hold"] = "take"
    their_gs_id: str = Field(pattern=_GS_ID)
    # A network (SAP Ariba, Coupa, GHX, a retailer's VAN) sends many buyers under one ISA06, each buyer's id in
    # GS02 (Ariba: its ANID): the other GS02s it may send besides their_gs_id. Each group is answered to its own
    # GS02 either way (its 997, and its orders' 855/865/856/810, carry it as GS03); with this list a group from a
    # GS02 on neither is taken with GS_ID_MISMATCH (warning), so ops see a buyer they did not expect. Empty (the
    # default): GS02 is not compared
    their_gs_ids: tuple[str, ...] = ()
    our_gs_id: str = Field(pattern=_GS_ID)
    # Our other application ids this partner may write to besides our_gs_id (a company with one per division: the
    # partner sends to GS03 "ACMEFOODS" or "ACMEHOME"). Each group is answered from the GS03 it was sent to either
    # way (X12 997: the group's sender and receiver codes exchanged; its orders' 855/865/856/810 likewise carry it
    # as GS02); with this list a group to a GS03 on neither is taken with GS_ID_MISMATCH (warning), so ops see an
    # id they did not expect. Empty (the default): GS03 is not compared
    our_gs_ids: tuple[str, ...] = ()
    # The GS02s the partner sent from before it moved (a new translator's application id) and asks us to answer at
    # no more: a group from one is taken as the partner's (not GS_ID_MISMATCH), but every answer to it (its 997) and
    # to its orders (their 855/865/856/810, an order received under it before the move) goes to their_gs_id. A GS02
    # not listed here is answered where it wrote, as a network's buyers are. Empty (the default): none
    former_gs_ids: tuple[str, ...] = ()
    # The GS02s they sent from / the GS03s of ours they wrote to before the dated change in effect ([[changes]]),
    # as previous_ids: a group from / to one is the partner's and its 997 echoes it; every 855/865/856/810 sent from
    # the switch date, an order's received before it too, goes to their_gs_id from our_gs_id. Empty: none
    previous_gs_ids: tuple[str, ...] = ()
    previous_our_gs_ids: tuple[str, ...] = ()
    version: Literal["004010", "005010"] = "004010"
    # GS08 of what we send when the partner's guide wants more than the version: the version and an industry
    # identifier, "004010VICS" (retail: Kohl's, JCPenney, Macy's VICS guides), "004010UCS" (grocery); or a later
    # release of the same version, with or without one, where the partner's guides are written in it ("004030":
    # Dick's Sporting Goods, Ross Stores; "004030VICS"): a translator set up for 004030 refuses a group labelled
    # 004010 (AK9 R, code 2). None: the version. The documents follow the version's dictionary either way (a later
    # release of a version keeps the earlier release's segments, elements and codes)
    gs_version: str | None = Field(default=None, pattern=r"^\d{6}[A-Z0-9]{0,6}$")
    # GS08 of one kind of document we send, by its set id, where the partner's guides name a convention per
    # transaction set: the aerospace TR3s (X12/AIA 004010X348 for the 810, whose 850 is 004010X357) label each
    # set's group with its own identifier, so one gs_version for every document would mislabel the others. A
    # kind not listed: gs_version, else the version. Each value as gs_version (the version or a later release), or
    # a release before 004010 we write that set in (schemas.x12dict.EARLY_RELEASES: the 855, 856, 810 and 865 in
    # 003040-003070, the 880 in 003040; Navistar's 856 guide is 003050, its 810 guide 003040): that set is then
    # written by the release's dictionary (engine.early_release: the elements the release lacks left out, dates
    # YYMMDD, 003070's date and century composites), its group with GS04 YYMMDD and its interchange with the
    # release's ISA12 (00305, 00304), whatever the profile's isa_version.
    # Written as a TOML table ({ "810" = "004010X348" }), kept as sorted (set id, GS08) pairs (hashable)
    gs_versions: tuple[tuple[str, str], ...] = ()
    # ISA12 of what we send when the partner's guide names another interchange control version than the version's
    # own (00401 for 004010, 00501 for 005010): AutoZone's 004010 guides send and require "00400"; None: the
    # version's own. Before 00402 ISA11 is "U" (no repetition separator), from it on the repetition separator
    isa_version: str | None = Field(default=None, pattern=r"^00[2-8]0\d$")
    usage: Literal["P", "T"] = "P"
    # A partner whose 850s share one PO number (BEG03) for several orders told apart by a heading reference: the
    # REF01 that tells them apart (Cabela's nightly drop ships, BEG02 DS: one master BEG03 per night, one set per
    # consumer order, each with its own REF*CO; its guide says they are not duplicates). Each set naming its own
    # value of it is an order of its own (schemas.order_keys.ref_key), answered, shipped and invoiced under BEG03
    # with that REF echoed as sent (order_refs); a confirmation names it by PO and that value (its CSV's release
    # column, a 945's N9/REF RE). None (the default): orders are keyed by BEG03 (and BEG04 for a release)
    order_key_ref: OrderRef | None = None

    @property
    def order_key_column(self) -> str:
        """The ORDERS column of order_key_ref ("" for none)."""
        from schemas.orders import ORDER_REFS

        return ORDER_REFS[self.order_key_ref] if self.order_key_ref else ""

    @field_validator("their_gs_ids", "our_gs_ids", "former_gs_ids", "previous_gs_ids", "previous_our_gs_ids")
    @classmethod
    def _gs_ids(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        bad = [s for s in v if not re.fullmatch(_GS_ID, s)]
        if bad:
            raise ValueError(f"not GS ids (2 to 15 printable characters, no leading or trailing space): {bad}")
        return v

    @field_validator("their_ids", "our_ids", "former_ids", "previous_ids", "previous_our_ids", mode="before")
    @classmethod
    def _isa_pairs(cls, v: object) -> object:
        return isa_pairs(v)

    def sends_from(self, qualifier: str, isa_id: str) -> bool:
        """An interchange from ISA05/ISA06 ``qualifier``/``isa_id`` (stripped) is this partner's: their_qualifier/
        their_id or a pair of their_ids or former_ids."""
        return ((qualifier, isa_id) == (self.their_qualifier, self.their_id) or (qualifier, isa_id) in self.their_ids
                or (qualifier, isa_id) in self.former_ids or (qualifier, isa_id) in self.previous_ids)

    def writes_to(self, qualifier: str, isa_id: str) -> bool:
        """An interchange to ISA07/ISA08 ``qualifier``/``isa_id`` (stripped) is to us: our_qualifier/our_id or a
        pair of our_ids or previous_our_ids (ours before the dated change in effect)."""
        return ((qualifier, isa_id) == (self.our_qualifier, self.our_id) or (qualifier, isa_id) in self.our_ids
                or (qualifier, isa_id) in self.previous_our_ids)
    delimiters: DelimiterSettings = DelimiterSettings()
    fallback_delimiters: tuple[DelimiterSettings, ...] = FALLBACK_DELIMITERS
    # Groups in a version we have no dictionary for (003040, 004030, 007030 ...): "common" (the default)
    # judges their sets by what every X12 version agrees on (rules.structure.COMMON_CODES: a mandatory
    # segment or element missing, no segment id) and reads their orders; "envelope_only" checks their
    # envelopes only; "reject" answers them with AK9 R / AK905 2. Never by another version's lengths,
    # codes, segments or notes: all of 003010-008010 is X12.
    other_versions: Literal["common", "envelope_only", "reject"] = "common"
    # An element error in what an order is not made of (rules.lenient.HARMLESS: free text, descriptions, notes, names,
    # references we only keep; a grocer's 875/876 by GROCERY_HARMLESS) in an 850, 860, 875 or 876: "accept" (the
    # default) takes the set as X12 lets a receiver do, accepted with errors noted (997 AK5 E with its AK3/AK4; AK9 E),
    # the order processed as any and a warning (ELEMENT_TOO_LONG_ACCEPTED; ELEMENT_CHARACTER_ACCEPTED,
    # ELEMENT_REPEATS_ACCEPTED: a component or repetition separator in its text) naming the element and the value kept
    # as received; "reject" refuses the set (AK5 R) as X12's table alone would. A buyer's note of 32 characters or a
    # colon in a description never costs an order by default; an error in the PO number, a quantity, unit, price,
    # product or party id, a date or a code we act on, a missing mandatory element, bad structure always rejects.
    element_errors: Literal["accept", "reject"] = "accept"
    # The other transaction sets a trading partner sends a supplier on the same connection, which we do not
    # process: 820 remittances, 812 credit/debit adjustments, 852 product activity, 846 its own stock, 816 store
    # lists, 753/754 routing, 830/862 forecasts and schedules, 180 returns, 869 status inquiries, sets we never
    # heard of. "keep" (the default): answered by a 997 on their syntax alone (AK5 A when the envelope is sound,
    # whatever we do with the content), the file processed (never quarantined for them), each set listed in the
    # run's report as received, not processed (SET_RECEIVED_NOT_PROCESSED: its set, control numbers and what it
    # says in a line; the file in the archive for ops and the ERP). "refuse": refused by the 997 as not supported
    # (AK5 R 1, AK9 R 1), for a partner whose agreement says it sends us nothing but orders. A set we can process
    # but the profile leaves out of `accepts` (850, 860, 875, 997, 824, 864) is always refused that way.
    other_sets: Literal["keep", "refuse"] = "keep"
    # Days an ISA13 (per sender) they used stays theirs: a number received again within this many days
    # of its last use is a duplicate (ISA_DUPLICATE); after, it is taken as new with a warning
    # (ISA_REUSED): X12.6 asks for unique numbers only "within a reasonably extended time frame", and
    # translators restart at 1 (a reinstall, a new VAN) or wrap. 0: never taken again (for a partner
    # whose agreement says numbers are never reused). GS01+GS02+GS03+GS06 has no window: it is unique
    # within its interchange only (X12 RFI 362; GS_DUPLICATE for a repeat inside one interchange).
    duplicate_window_days: int = Field(default=365, ge=0)
    guide: PartnerGuide | None = None
    # The character encoding of the documents we write them (parsers.x12_writer.transcode): "auto" (the default:
    # the encoding of the partner's own files, parsers.x12_writer.answer_encoding: a 997/855/865 in its answered
    # file's, an 856/810 in its PO's, else the partner's latest file's beyond ASCII; ASCII for a partner that
    # sends ASCII only; UTF-8 when none is known); "utf-8"; "latin-1" (ISO-8859-1) for a translator reading one
    # byte per character, as one that sends its own files in ISO-8859-1 does (Quebec partners: their "Québec"
    # in our UTF-8 reads "QuÃ©bec" there); "cp1252" (Windows-1252) for one whose files use its letters at
    # 0x80-0x9F ("œ", "’", "–", which ISO-8859-1 has no code for: "auto" answers such files so); "ascii" for one
    # taking X12's basic and extended character sets only (accents dropped: "Quebec")
    encoding: Literal["auto", "utf-8", "latin-1", "cp1252", "ascii"] = "auto"
    # The fewest decimals of the unit prices (855 PO104, 810 IT104, CTP03) and of the quantities (855 PO102 and
    # ACK02, 856 SN102 and SN105, 810 IT102) we write them, padded with zeros (6.25 -> 6.2500, 144 -> 144.00; never
    # cut, nor past the element's maximum length): X12's R type drops trailing zeros, but a guide may ask for a fixed
    # number (Sherwin-Williams' 855 and 810: unit costs with 4 decimal positions, quantities with 2). None: as few
    # as the value needs (the default)
    price_decimals: int | None = Field(default=None, ge=1, le=6)
    quantity_decimals: int | None = Field(default=None, ge=1, le=6)

    @property
    def buyer_gs_ids(self) -> frozenset[str]:
        """The GS02s of the several buyers this partner sends for (their_gs_id and their_gs_ids, when the latter
        lists any: a hub such as CommerceHub, a network such as SAP Ariba), each numbering its own POs: a PO number
        one of them sends that another's order holds is not that order's (engine.lifecycle.intake,
        PO_OF_ANOTHER_BUYER); empty for a partner of one buyer."""
        return frozenset((self.their_gs_id, *self.their_gs_ids)) if self.their_gs_ids else frozenset()

    @field_validator("gs_versions", mode="before")
    @classmethod
    def _gs_versions_pairs(cls, v: object) -> object:
        return tuple(sorted(v.items())) if isinstance(v, dict) else v

    @model_validator(mode="after")
    def _gs_version_of_the_version(self) -> X12Settings:
        from schemas.x12dict import early_sets_text, written_in

        for name, gs, kind in (("gs_version", self.gs_version, ""), *((f"gs_versions {k!r}", v, k)
                                                                     for k, v in self.gs_versions)):
            if kind and written_in(kind, gs):
                continue  # a set we write in its early release (schemas.x12dict.EARLY_RELEASES: the 856 in 003050 ...)
            if gs is not None and not (gs[:3] == self.version[:3] and gs[:6] >= self.version):
                raise ValueError(f"{name} {gs!r} must start with the version {self.version!r} or a later release "
                                 f"of it ({self.version[:3]}020 ...)" + (", or be a release before 004010 we write "
                                 f"that set in ({early_sets_text()})" if kind else "")
                                 + (f". We hold no dictionary of a release before 003040 ({gs[:6]}: version 2, "
                                    "003010-003030) to write a document by: leave it out and the partner's 855, 856, "
                                    "810 and 865 go in the profile's version; a 997 answers each of its groups in the "
                                    "group's own release ([acks] version \"group\")" if gs[:6] < "003040" else ""))
        for k, v in self.gs_versions:
            if not re.fullmatch(r"\d{3}", k) or not re.fullmatch(r"\d{6}[A-Z0-9]{0,6}", v):
                raise ValueError(f"gs_versions {k!r} = {v!r}: a set id (\"810\") and a GS08 (\"004010X348\")")
        return self


class AckSettings(_Model):
    send_997: bool = True
    ta1: Literal["never", "requested", "on_error", "always"] = "requested"
    ack_997_on_997: bool = False  # never acknowledge acknowledgments unless the partner insists
    # The version of our 997s: "group" (the default) writes each in the release of the group it acknowledges when
    # that is another one we write (a 005010 group from a partner profiled 004010: GS08 005010, ISA12 00501, AK1
    # with AK103; a 004030VICS one: GS08 004030VICS, the group's industry identifier kept, unless the profile names
    # the 997's GS08: gs_versions "997", or gs_version for its own release; engine.envelope.ack_version), as
    # translators match an acknowledgment to the group it answers and expect it in that group's version (Bots issue
    # 366: a 004040 850 answered with a 004010 997); a 002001-003070 group gets a 997 in its release too (GS04
    # YYMMDD, ISA11 U; a Ford 002002FORD PO a 002002FORD 997 in ISA12 00200: schemas.x12dict.EARLY_997_RELEASES);
    # "profile": every 997 in the profile's version (a partner whose agreement fixes it). A group in a later version
    # (006020, 007010) is answered in the profile's. A TA1 follows the same setting: "group" writes it in the ISA12 of
    # the interchange it answers (engine.envelope.ta1_version), "profile" in the profile's
    version: Literal["group", "profile"] = "group"
    po_ack: PoAckSettings = PoAckSettings()  # the 855's optional heading content and PO1 product ids


class SftpSettings(_Model):
    host: str
    port: int = 22
    user: str
    key_file: str | None = None  # path to the private key (not a secret in itself)
    secret_env: str | None = None  # env var holding the password or key passphrase
    secret_block: str | None = None  # Prefect Secret block name, alternative to secret_env
    known_hosts: str  # pinned host keys; unknown or changed keys are refused
    remote_inbox: str = "inbox"
    remote_outbox: str = "outbox"
    remote_processed: str | None = "processed"  # None: delete after a verified download
    # true: an inbox we may read but not change (the partner removes what we have taken): files are
    # never moved or deleted there, and one taken before (same name, same content) is passed over
    leave_in_inbox: bool = False
    settle_seconds: float = 2.0  # size and mtime must be unchanged across this interval
    # a file whose mtime is less than this many seconds before our clock is not taken yet: an upload
    # that stalled (no byte written across settle_seconds) but is not finished; 0: no such rule
    min_age_seconds: float = Field(default=0.0, ge=0)
    temp_suffixes: tuple[str, ...] = (".tmp", ".part", ".filepart")
    timeout_seconds: float = 20.0
    # an SSH keepalive sent after this many idle seconds (paramiko set_keepalive), so a firewall or NAT
    # that drops idle connections does not cut a long session (a large file, a slow run); 0: none
    keepalive_seconds: int = Field(default=0, ge=0)


class LocalDropSettings(_Model):
    """The "ready to read" rule of a local drop (as SFTP's): a file changed less than ``settle_seconds``
    ago is read only if its size and mtime stay unchanged that long, and (``min_age_seconds``) only once
    it last changed at least that long ago; temporary names are never read."""

    settle_seconds: float = Field(default=2.0, ge=0)
    # a file whose mtime is less than this many seconds before our clock is not taken yet: an upload slow
    # to start or stalled (a zero-byte file unchanged across settle_seconds); 0: no such rule (as SFTP's)
    min_age_seconds: float = Field(default=0.0, ge=0)
    temp_suffixes: tuple[str, ...] = (".tmp", ".part", ".filepart")


class DropSettings(_Model):
    kind: Literal["local", "sftp"] = "local"
    sftp: SftpSettings | None = None
    local: LocalDropSettings = LocalDropSettings()

    @model_validator(mode="after")
    def _sftp_needs_settings(self) -> DropSettings:
        if self.kind == "sftp" and self.sftp is None:
            raise ValueError("drop.kind = 'sftp' needs a [drop.sftp] table")
        return self


# set-level codes whose orders a business rule's finding decides: named when a profile gives the former an outcome
DECIDED_BY = {"LINE_SHIP_TO_NOT_APPLIED": "LINE_SHIP_TO_DIFFERS", "SHIP_TO_NOT_APPLIED": "SHIP_TO_AMBIGUOUS"}


class RuleProfile(PartnerRuleOverrides):
    """This partner's business-rule tolerances, and outcome overrides: finding code -> outcome name."""

    outcomes: dict[str, str] = {}
    # "as_sent": every PO carries its ship-to's whole address (a drop-ship partner's consumer addresses), taken as
    # sent: the partner needs no ship_tos.csv rows (`orderbridge partner check` does not ask for them); "on_file":
    # its POs name locations (N104) that ship_tos.csv must know
    ship_tos: Literal["on_file", "as_sent"] = "on_file"
    # the ship_tos.csv location (N104, read with N103 92) of a PO that names no ship-to (no N1*ST or BS id or address,
    # no SDQ destination, no REF*ST store; a name alone is none): a buyer whose 850 guide has no N1 loop (Dot Foods:
    # its goods go where the trading agreement says). None: such a PO is held SHIP_TO_UNKNOWN
    default_ship_to: str | None = Field(default=None, min_length=1, max_length=80, pattern=r"^\S(.*\S)?$")

    @field_validator("outcomes")
    @classmethod
    def _known(cls, v: dict[str, str]) -> dict[str, str]:
        from schemas.codes import CATALOGUE
        from schemas.outcomes import DEFAULT_OUTCOMES

        for code, name in v.items():
            if code not in CATALOGUE:
                raise ValueError(f"unknown finding code {code!r}")
            if code not in DEFAULT_OUTCOMES:  # accepted, it would change nothing: ops would trust a hold never made
                raise ValueError(f"{code} is not a business rule's finding ({CATALOGUE[code].level} level): no "
                                 "decision takes an outcome for it, so one here would change nothing"
                                 + (f" (its orders are decided by {DECIDED_BY[code]})" if code in DECIDED_BY else ""))
            if name not in NAMED:
                raise ValueError(f"unknown outcome {name!r} for {code}; choose from {sorted(NAMED)}")
        return v

    def overrides(self) -> PartnerRuleOverrides:
        return PartnerRuleOverrides.model_validate(self.model_dump(exclude={"outcomes", "ship_tos", "default_ship_to"}))


# documents that need our X12 envelope
X12_RECEIVED = frozenset({"997", "TA1", "855", "870", "856", "810", "880", "865"})
X12_ACCEPTED = frozenset({"850", "875", "876", "860", "997", "824", "864"})
# documents that write an order's PO number, line ids and product ids back
X12_ANSWERS = frozenset({"855", "870", "856", "810", "880", "865"})
# (BAK03/PRF01/BIG04/BCA03; PO101/LIN01/IT101; the PO1/LIN/IT1 product id pairs)
# the CSV order columns such a document writes, and the data element each is written as (its maximum length is
# the partner's X12 version's: parsers.csv_orders refuses a longer value, never cuts it)
CSV_ID_ELEMENTS = {"po_number": "324", "release_number": "328", "line_id": "350", "upc": "234", "gtin": "234",
                   "vendor_part": "234", "buyer_part": "234"}
class DeliverySettings(_Model):
    """How the answers (855s, 865s), ship notices (856s) and invoices (810s) travel: ``batch =
    "document"`` one interchange per transaction set; ``"run"`` one interchange per document type and
    run (856s: per confirmation file shipped); a number N: interchanges of at most N sets. Every
    choice is numbered and stored before a file is written (docs/state-store.md)."""

    batch: Literal["document", "run"] | int = "document"
    # how the files are named and placed (schemas.transport): ``file_name`` the pattern of every X12 document,
    # ``file_names`` one per document type ("855", "856", "810", "997", "TA1", ..., "csv_ack"), refused when two
    # documents could take one name; none: {partner}-{type}-{isa13:09d}.x12 and {partner}-csv-ack-{isa13:09d}.csv
    file_name: str | None = None
    file_names: dict[str, str] = {}
    # document type -> its folder: relative to the outbox (a local drop's outbox/ subfolder, or the SFTP
    # remote_outbox's), or an absolute path on the partner's SFTP server; a type not listed goes to the outbox
    folders: dict[str, str] = {}
    # "temp_name": a hidden temporary name in the folder itself, renamed into place (.tmp-<name>.part over SFTP);
    # "staging": written in staging_folder (relative to the outbox, or absolute over SFTP) and moved into place,
    # for a poller that takes every file of its folder or a server refusing dot-files; "direct": written under its
    # final name and its size checked, for a server that refuses renames (a crash can leave part of a file there)
    upload: Literal["temp_name", "staging", "direct"] = "temp_name"
    staging_folder: str | None = None
    # "drop": the files go to the partner's own drop's outbox (its folder, or its SFTP server's remote_outbox);
    # "mailbox": to the VAN mailbox's outbound folder (workspace.toml's [mailbox]: mailbox/outbox/, or its
    # [mailbox.sftp] remote_outbox), for a partner reached only through the VAN (flows.documents.deliver_to_mailbox:
    # each file put under a hidden name, recorded, renamed into place: never sent twice)
    via: Literal["drop", "mailbox"] = "drop"

    @field_validator("file_name")
    @classmethod
    def _pattern(cls, v: str | None) -> str | None:
        if v is not None:
            parse_pattern(v)
        return v

    @field_validator("file_names", "folders")
    @classmethod
    def _kinds(cls, v: dict[str, str]) -> dict[str, str]:
        for kind in v:
            if kind not in DOC_KEYS:
                raise ValueError(f"unknown document type {kind!r}; choose from {', '.join(DOC_KEYS)}")
        return v

    @model_validator(mode="after")
    def _placing(self) -> DeliverySettings:
        for pattern in self.file_names.values():
            parse_pattern(pattern)
        named = [(f"folders {k!r}", f) for k, f in self.folders.items()]
        for what, folder in [*named, *([("staging_folder", self.staging_folder)] if self.staging_folder else [])]:
            parts = folder.strip("/").split("/")
            if not folder.strip("/") or any(p in ("", ".", "..") or "\\" in p or any(ord(c) < 32 for c in p)
                                            for p in parts):
                raise ValueError(f"{what} = {folder!r}: a folder path without '.' or '..' parts, empty parts, "
                                 "'\\' or control characters")
        if self.upload == "staging" and not self.staging_folder:
            raise ValueError('upload = "staging" needs a staging_folder (one the partner\'s poller does not read)')
        if self.staging_folder and self.upload != "staging":
            raise ValueError('staging_folder is used only with upload = "staging"')
        if self.via == "mailbox" and (self.folders or self.upload != "temp_name"):
            raise ValueError('via = "mailbox" puts every file in the VAN mailbox\'s one outbound folder under a hidden '
                             'temporary name, renamed into place: leave out folders, upload and staging_folder')
        return self

    def pattern(self, kind: str) -> str | None:
        """The file name pattern of a document kind (an X12 type or csv_ack); None: the default names."""
        if kind in self.file_names:
            return self.file_names[kind]
        return self.file_name if kind != CSV_ACK else None

    def folder(self, kind: str) -> str:
        """The folder of a document kind, relative to the outbox (or absolute); "" for the outbox itself."""
        return self.folders.get(kind, "")

    def sent_folders(self) -> list[str]:
        """The folders the documents are written to, relative to the outbox ("" the outbox itself; absolute ones,
        on an SFTP server, left out), each once."""
        return list(dict.fromkeys(["", *(f.strip("/") for f in self.folders.values() if not f.startswith("/"))]))

    @field_validator("batch")
    @classmethod
    def _positive(cls, v: str | int) -> str | int:
        if isinstance(v, int) and (isinstance(v, bool) or v < 1):
            raise ValueError("batch is 'document', 'run' or a number of transaction sets of at least 1")
        return v

    @property
    def limit(self) -> int | None:
        """Transaction sets per interchange at most (None: no limit)."""
        return 1 if self.batch == "document" else None if self.batch == "run" else int(self.batch)


def check_delivery(party: str, d: DeliverySettings, drop: DropSettings, kinds: tuple[str, ...]) -> None:
    """Refuse (ValueError) the [delivery] of ``party`` (a partner, or a warehouse whose 997s and TA1s answer its
    945s: schemas.warehouses) whose documents of ``kinds`` could take one name (schemas.transport.check_patterns),
    whose staging folder is one the documents are delivered to, or, for a local drop, with an absolute folder (a
    local drop's folders are subfolders of its outbox/)."""
    if d.file_name is not None or d.file_names:
        check_patterns(party, {k: d.pattern(k) or ("{partner}-{type}-{isa13:09d}.x12" if k in X12_TYPES else
                                                   "{partner}-csv-ack-{isa13:09d}.csv") for k in kinds})
    if d.staging_folder:  # a staging folder that is one the partner reads would show it every file half written
        outbox = drop.sftp.remote_outbox if drop.kind == "sftp" and drop.sftp else "outbox"

        def place(folder: str) -> str:
            return posixpath.normpath(posixpath.join(outbox, folder)) if folder else posixpath.normpath(outbox)

        if place(d.staging_folder) in {place(""), *(place(f) for f in d.folders.values())}:
            raise ValueError(f"staging_folder {d.staging_folder!r} is a folder the documents are delivered to: "
                             "name one their poller never reads")
    if drop.kind == "local":
        for folder in [*d.folders.values(), d.staging_folder or ""]:
            if folder.startswith("/"):
                raise ValueError(f"delivery folder {folder!r}: a local drop's folders are subfolders of its "
                                 "outbox/ (a relative path)")


class ProfileChange(_Model):
    """One dated change of a profile (``[[changes]]``): from ``effective`` on (by the run's clock: the night whose
    clock date is that day or later) the profile's keys it writes replace the profile's (tables merged key by key,
    a key's value replaced whole: a list, an array of tables), on top of the changes before it. Its other keys are
    the profile's own (``[changes.x12]``, ``[changes.fulfilment.asn]``), kept as written (model_extra) and checked
    by PartnerProfile, which validates the profile as each change leaves it."""

    model_config = ConfigDict(frozen=True, extra="allow")
    effective: date
    note: str = ""  # why (the partner's letter), shown by `orderbridge partner check`

    def keys(self) -> tuple[str, ...]:
        """The profile keys it writes, dotted ("x12.their_id", "fulfilment.asn.structure"), in order."""
        def walk(table: dict, prefix: str) -> list[str]:
            out: list[str] = []
            for k, v in table.items():
                out += walk(v, f"{prefix}{k}.") if isinstance(v, dict) and v else [prefix + k]
            return out

        return tuple(walk(self.model_extra or {}, ""))


def _merged(base: dict, change: dict) -> dict:
    """``base`` with ``change`` written over it: tables merged key by key, every other value replaced whole."""
    out = dict(base)
    for k, v in change.items():
        out[k] = _merged(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


# ids a partner cannot take: the parties the run's reports count beside the partners (flows.mailbox.PARTY: the VAN
# mailbox's findings no one partner owns, its own row in summary.json and the failures report)
RESERVED_IDS = {"mailbox": "the VAN mailbox's row in the run's reports"}

# what a dated change may not write: who the partner is, and the changes themselves
_UNCHANGING = ("id", "changes")


class ContinuesSettings(_Model):
    """``[continues]``: this partner (B) is the company another profile (A: ``partner``) was set up for, under its
    new EDI provider or after a merger, and from ``effective`` on (by the run's clock) it carries on A's orders
    still open. B's 860s naming a PO A holds open (and B does not) are applied to A's order (the file and its 997
    stay B's); A's 855/865/856/810 go out under B's envelope ([x12] ids, version, delimiters) to B's drop, as B's
    [delivery] says (PartnerProfile.continued). A's own files are still taken as A's."""

    partner: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")
    effective: date
    note: str = ""  # why (the partner's letter), shown by `orderbridge partner check`


class PartnerProfile(_Model):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")
    name: str
    x12: X12Settings | None = None  # required unless the partner only sends CSV and receives CSV acks
    acks: AckSettings = AckSettings()
    # csv_ack: the CSV acknowledgment (fulfilment.csv_ack, or its defaults) instead of / besides an 855
    # 870: an Order Status Report (engine.order_status) answers each PO instead of an 855, for a partner whose guide
    # asks for one (Lands' End); a partner takes one of the two
    # 880: the grocery invoice (X12 880 Grocery Products Invoice, group GP: engine.invoice_880) instead of the 810,
    # for a grocer that orders by the 875 (UCS practice); the one invoice it receives (not both 810 and 880)
    receives: tuple[Literal["997", "TA1", "855", "870", "856", "810", "880", "865", "csv_ack"], ...] = ("997", "TA1",
                                                                                                       "855")
    # csv: CSV purchase orders in the partner's drop (fulfilment.csv_orders names the columns)
    # 824: partners' application advices on our 856s/810s (engine.application_advice)
    # 864: partners' text messages for people (parsers.text_messages), kept and shown in the run's reports; in the
    # default list because refusing a group of them (997 AK5 R) loses a message to ops, reading one costs nothing
    # 875: grocery purchase orders (X12 875, group OG: parsers.orders_875), read into the 850's order tables
    # 876: grocery purchase order changes (X12 876, group OG: parsers.orders_876), read into the 860's change tables
    # and answered as an 860 is (change_ack); not in the default list, as the 875 is not: a grocer that orders by
    # the 875 changes by the 876 and lists both (`orderbridge partner check` says when only the 875 is listed)
    accepts: tuple[Literal["850", "875", "876", "860", "997", "824", "864", "csv"], ...] = ("850", "860", "997", "824",
                                                                                              "864")
    drop: DropSettings = DropSettings()
    rule_suites: tuple[str, ...] = ("standard",)  # standard = all; or items, quantities, prices, terms,
    # ship_to, dates, credit (rules.suite.SUITES)
    rules: RuleProfile = RuleProfile()
    allocation: AllocationPolicy = AllocationPolicy()
    change_ack: Literal["865", "855"] = "865"  # how 860 change orders are answered
    # change_ack "855": "always" every change before shipment is answered by a revised 855 of the order; "on_change"
    # only a change we do not take as asked (a line refused, backordered, at our price, the change refused whole),
    # as Zappos' 855 guide asks: no 855 in answer to its 860 unless the vendor changes something (a change after
    # shipment is always answered)
    change_answer: Literal["always", "on_change"] = "always"
    # the days an 860 naming a PO we hold no order of waits for its 850 (a buyer's 850s and 860s often come out of
    # order: other files, VAN delays, the same night or a night apart): kept pending, applied the night its 850 comes;
    # refused (CHANGE_ORDER_UNKNOWN) once it has waited that long. 0: refused at once, for a partner whose 850s and
    # 860s always come in order (a change to a PO we never received is then a wrong PO number)
    early_change_days: int = Field(default=2, ge=0, le=30)
    # an 850 (BEG01 00) naming a PO we hold that has not shipped: "duplicate", a copy not processed
    # (ORDER_DUPLICATE); "replace": when its lines differ from the order's (a line added or gone, another
    # quantity, unit, price or PO101) it replaces the order as a BEG01 05 would, for a partner that sends no 860
    # and retransmits the changed PO instead (Macy's), or a CSV buyer that exports its edited sheet again; an
    # unchanged copy stays a copy
    resent_po: Literal["duplicate", "replace"] = "duplicate"
    fulfilment: FulfilmentSettings = FulfilmentSettings()  # 856/810 shape, SSCC numbering, CSV layouts
    finance: FinanceSettings = FinanceSettings()  # reconciliation tolerances, SLA windows, penalties
    limits: LimitSettings = LimitSettings()  # file size, sets per file, findings kept (engine.budgets)
    delivery: DeliverySettings = DeliverySettings()  # 855/865/856/810 interchanges: per set, per run, per N sets
    # Dated changes ([[changes]], ProfileChange): the partner's announced switch ("from 2027-01-15 send 005010 855s,
    # our new ISA id is X") written ahead, each taking effect on its day by the run's clock (PartnerProfile.on). In
    # effective order, one per day. The profile above them is what is in effect before the first
    changes: tuple[ProfileChange, ...] = ()
    # [continues] (ContinuesSettings): this profile carries on another's open orders from a date
    continues: ContinuesSettings | None = None
    # each change's effective date and the profile as it leaves it (_dated): resolved once when loaded
    _versions: tuple[tuple[date, PartnerProfile], ...] = PrivateAttr(default=())
    _effective: date | None = PrivateAttr(default=None)
    _base: PartnerProfile | None = PrivateAttr(default=None)  # a version's: the profile before its changes
    _continued_by: str | None = PrivateAttr(default=None)  # continued(): the profile carrying on its orders

    @field_validator("id")
    @classmethod
    def _not_reserved(cls, v: str) -> str:
        if v in RESERVED_IDS:
            raise ValueError(f"{v!r} names {RESERVED_IDS[v]}, not a partner: choose another id (and file name)")
        return v

    @model_validator(mode="wrap")
    @classmethod
    def _dated(cls, data: Any, handler: Any) -> PartnerProfile:
        """The profile, and with [[changes]], the profile as each leaves it, each validated as a whole (a change
        that leaves the profile wrong is refused when loaded, naming its date, never found out the night it takes
        effect). A change may not write id or changes; their dates are in order, one change per day. A change that
        moves the partner's interchange ids (or ours) keeps the ids it replaced as previous_ids / previous_our_ids, so
        an interchange built before the switch and delivered after it is still the partner's, its 997 echoing it."""
        profile = handler(data)
        if not profile.changes or not isinstance(data, dict):
            return profile
        base = {k: v for k, v in data.items() if k != "changes"}
        versions: list[tuple[date, PartnerProfile]] = []
        before, merged = profile, base
        for i, change in enumerate(profile.changes):
            where = f"changes[{i}] (effective {change.effective.isoformat()})"
            if i and change.effective <= profile.changes[i - 1].effective:
                raise ValueError(f"{where}: changes are listed in effective order, one per day (the one before it "
                                 f"is effective {profile.changes[i - 1].effective.isoformat()})")
            written = dict(change.model_extra or {})
            if not written:
                raise ValueError(f"{where} changes nothing: write the profile keys it changes beside effective")
            refused = [k for k in _UNCHANGING if k in written]
            if refused:
                raise ValueError(f"{where} may not change {', '.join(refused)} (a partner with another id is another "
                                 "profile)" if "id" in refused else
                                 f"{where} may not hold changes of its own")
            merged = _merged(merged, written)
            try:
                version = cls.model_validate(_moved_ids(merged, before))
            except ValidationError as exc:
                raise ValueError(f"{where} leaves the profile invalid: " + "; ".join(
                    f"{'.'.join(str(x) for x in e.get('loc', ())) or 'the profile'}: {e['msg']}"
                    for e in exc.errors(include_url=False))) from None
            versions.append((change.effective, version))
            before = version
        profile._versions = tuple(versions)
        return profile

    def coming(self) -> tuple[tuple[date, PartnerProfile], ...]:
        """Each change still to come (effective after the one this profile is as of: after the run's date for a
        profile read through on) and the profile from that day on, in order; empty without changes."""
        return tuple((e, v) for e, v in self._versions if self._effective is None or e > self._effective)

    def announced(self, qualifier: str, isa_id: str, *, ours: bool = False) -> date | None:
        """The effective date of the first change to come ([[changes]]) whose profile has the partner send from
        ISA05/ISA06 ``qualifier``/``isa_id`` (their_qualifier/their_id or their_ids; ``ours``: write to it as
        ISA07/ISA08, our_qualifier/our_id or our_ids), None when none announces it."""
        for effective, version in self.coming():
            x = version.x12
            if x is None:
                continue
            pairs = {(x.our_qualifier, x.our_id), *x.our_ids} if ours else {(x.their_qualifier, x.their_id),
                                                                             *x.their_ids}
            if (qualifier, isa_id) in pairs:
                return effective
        return None

    def announced_gs_ids(self, *, listed: bool = True) -> dict[str, date]:
        """Each GS02 a change to come has the partner send from (their_gs_id, and with ``listed`` their_gs_ids: a
        network's buyers) that the profile in effect does not, with that change's effective date (the first one
        naming it)."""
        x = self.x12
        now = {x.their_gs_id, *x.their_gs_ids, *x.former_gs_ids, *x.previous_gs_ids} if x else set()
        out: dict[str, date] = {}
        for effective, version in self.coming():
            if version.x12 is not None:
                for gs in (version.x12.their_gs_id, *(version.x12.their_gs_ids if listed else ())):
                    if gs not in now:
                        out.setdefault(gs, effective)
        return out

    def on(self, day: date) -> PartnerProfile:
        """The profile in effect on ``day`` (the run's clock date): the one the latest change effective on or
        before it leaves, else the profile as written before its changes. Every stage of a night reads the partner's
        profile through it (flows.workspace.Workspace.on), so a switch happens exactly on its day."""
        if self._base is not None:
            return self._base.on(day)
        chosen, since = self, None
        for effective, version in self._versions:
            if effective <= day:
                chosen, since = version, effective
        if since is None:
            return self
        chosen = chosen.model_copy()  # the version, knowing its changes and which one it is
        object.__setattr__(chosen, "changes", self.changes)
        chosen._versions, chosen._effective, chosen._base = self._versions, since, self
        return chosen

    @property
    def effective(self) -> date | None:
        """The effective date of the change this profile is as of (on), None: the profile before its changes."""
        return self._effective

    def versions(self) -> tuple[tuple[date, PartnerProfile], ...]:
        """Each change's effective date and the profile from that day on (on), in order; empty without changes."""
        return tuple((effective, self.on(effective)) for effective, _v in self._versions)

    def next_change(self, day: date) -> ProfileChange | None:
        """The first of its changes effective after ``day``, None when none is to come."""
        return next((c for c in self.changes if c.effective > day), None)

    @model_validator(mode="after")
    def _continues_another(self) -> PartnerProfile:
        if self.continues is not None and self.continues.partner == self.id:
            raise ValueError(f"continues.partner {self.id!r} is this profile's own id: [continues] names the profile "
                             "whose open orders this partner carries on (another id)")
        return self

    def continuing(self, day: date) -> str | None:
        """The partner whose open orders this one carries on on ``day`` ([continues] effective by then), else None."""
        c = self.continues
        return c.partner if c is not None and c.effective <= day else None

    @property
    def continued_by(self) -> str | None:
        """The partner carrying on this profile's open orders (continued), None: its own."""
        return self._continued_by

    def continued(self, by: PartnerProfile) -> PartnerProfile:
        """This profile (A, as in effect) as its orders are answered once ``by`` (B, whose [continues] names it) carries
        them on: B's [x12] (its interchange and group ids, version, delimiters), with A's ids kept as previous ids
        (a straggler from A's ids is still A's, its 997 echoing it; an order received from them is answered at B's),
        and B's [delivery]: A's 855/865 revisions, 856s and 810s go out under B's envelope, to B's drop
        (flows.night.delivering), numbered in B's sequence (flows.documents.renderer). A's drop (where A's own files
        still come in), order key, rules and the rest are A's own. ``self`` when B sends no X12 (nothing to take
        over)."""
        if by.x12 is None or self.x12 is None:
            return self
        theirs = by.x12.model_dump(exclude={"previous_ids", "previous_our_ids", "previous_gs_ids",
                                            "previous_our_gs_ids", "order_key_ref"})
        theirs["order_key_ref"] = self.x12.order_key_ref
        x = X12Settings.model_validate(_moved_ids({"x12": theirs}, self)["x12"])
        out = self.model_copy(update={"x12": x, "delivery": by.delivery})
        out._versions, out._effective, out._base = self._versions, self._effective, self._base
        out._continued_by = by.id
        return out

    @model_validator(mode="after")
    def _file_names(self) -> PartnerProfile:
        """Patterns that could name two documents alike are refused (schemas.transport.check_patterns); a local
        drop's folders are subfolders of its outbox/ (no absolute path)."""
        check_delivery(self.id, self.delivery, self.drop, DOC_KEYS)
        return self

    @model_validator(mode="after")
    def _change_answer_of_855s(self) -> PartnerProfile:
        if self.change_answer == "on_change" and self.change_ack != "855":
            raise ValueError('change_answer = "on_change" is for a partner answered by revised 855s '
                             '(change_ack = "855"): an 865 partner\'s changes are answered by the 865')
        return self

    @model_validator(mode="after")
    def _one_order_answer(self) -> PartnerProfile:
        if {"855", "870"} <= set(self.receives):
            raise ValueError('receives names both "855" and "870": a partner\'s orders are answered by one of '
                             'the two (its guide\'s acknowledgment)')
        return self

    @property
    def order_answer(self) -> str:
        """The X12 document that answers the partner's orders: "870" (an Order Status Report) when its receives
        names one, else "855" (sent only when receives names it)."""
        return "870" if "870" in self.receives else "855"

    @model_validator(mode="after")
    def _sscc_for_856(self) -> PartnerProfile:
        if "856" in self.receives and self.fulfilment.sscc is None:
            raise ValueError("a partner that receives 856s needs [fulfilment.sscc] (our GS1 company prefix)")
        return self

    @model_validator(mode="after")
    def _one_asn_window(self) -> PartnerProfile:
        """One ASN deadline: ``[fulfilment.asn] window_minutes`` (ASN_LATE) is also the finance report's late ASN
        (finance_settings). ``[finance] asn_window_minutes``, the older key, is read when it alone is set; both set
        to different values is refused. A partner's guide gives one deadline; the two used to default to 30 and
        1440 minutes, so a night's shipments were all ASN_LATE while finance called them on time."""
        asn, fin = self.fulfilment.asn, self.finance
        ours, old = "window_minutes" in asn.model_fields_set, "asn_window_minutes" in fin.model_fields_set
        if ours and old and asn.window_minutes != fin.asn_window_minutes:
            raise ValueError(
                f"[fulfilment.asn] window_minutes = {asn.window_minutes} and [finance] asn_window_minutes = "
                f"{fin.asn_window_minutes} disagree: a partner's ASN has one deadline, which ASN_LATE and the finance "
                "report's late ASN both use; set [fulfilment.asn] window_minutes only")
        if old and not ours and asn.window_minutes != fin.asn_window_minutes:
            asn = asn.model_copy(update={"window_minutes": fin.asn_window_minutes})
            object.__setattr__(self, "fulfilment", self.fulfilment.model_copy(update={"asn": asn}))
        if fin.asn_window_minutes != asn.window_minutes:  # the older key states the one deadline too, so that a
            # profile written back (model_dump) holds the two keys alike and loads again
            object.__setattr__(self, "finance", fin.model_copy(update={"asn_window_minutes": asn.window_minutes}))
        return self

    @model_validator(mode="after")
    def _csv_partner(self) -> PartnerProfile:
        x12_used = sorted((set(self.receives) & X12_RECEIVED) | (set(self.accepts) & X12_ACCEPTED))
        if self.x12 is None and x12_used:
            raise ValueError(f"a partner that exchanges X12 ({', '.join(x12_used)}) needs an [x12] table")
        if "csv" in self.accepts and self.fulfilment.csv_orders is None:
            raise ValueError("a partner that sends CSV orders (accepts \"csv\") needs [fulfilment.csv_orders]")
        if "csv" in self.accepts and not {"855", "csv_ack"} & set(self.receives):
            raise ValueError("a CSV order partner is answered with \"csv_ack\" or \"855\" (receives)")
        if not self.accepts:
            raise ValueError("accepts names nothing the partner sends")
        return self

    @property
    def buyer_gs_ids(self) -> frozenset[str]:
        """The GS02s of the several buyers this partner sends for (X12Settings.buyer_gs_ids); empty without X12."""
        return self.x12.buyer_gs_ids if self.x12 is not None else frozenset()

    def vendor_numbers(self) -> tuple[str, ...]:
        """The vendor numbers its 855, 856 and 810 write as REF*IA (each document's vendor_number: the invoice's
        only under qualifier IA), in that order, each once; empty when none is set."""
        inv = self.fulfilment.invoice
        numbers = (self.acks.po_ack.vendor_number, self.fulfilment.asn.vendor_number,
                   inv.vendor_number if inv.vendor_number_qualifier == "IA" else "")
        return tuple(dict.fromkeys(n for n in numbers if n))

    def required_order_refs(self) -> dict[str, tuple[str, ...]]:
        """The heading references its documents must carry back (each one's required_order_refs), REF01 -> the
        documents it receives that require it ("855", "856", "810"), in that order; empty when none."""
        out: dict[str, tuple[str, ...]] = {}
        for document, settings in (("855", self.acks.po_ack), ("856", self.fulfilment.asn),
                                   ("810", self.fulfilment.invoice)):
            if document in self.receives:
                for qualifier in settings.required_order_refs:
                    out[qualifier] = (*out.get(qualifier, ()), document)
        return out

    @property
    def csv_orders(self) -> bool:
        """The partner sends CSV purchase orders."""
        return "csv" in self.accepts

    def csv_id_limits(self) -> dict[str, tuple[int, str]]:
        """The CSV order columns (CSV_ID_ELEMENTS) this partner's X12 answers write, each with the most
        characters its element takes in the partner's version and that element's name: empty for a
        partner we answer in CSV only (its ids are never written to X12)."""
        if not set(self.receives) & X12_ANSWERS:
            return {}
        from schemas.x12dict import dictionary

        version = self.x12.version if self.x12 is not None else "004010"
        d = dictionary(version)
        if d is None:  # X12Settings.version allows only versions we hold
            raise ValueError(f"no X12 dictionary for version {version}")
        return {column: (d.elements[ref].max, d.elements[ref].name) for column, ref in CSV_ID_ELEMENTS.items()}

    @property
    def finance_settings(self) -> FinanceSettings:
        """[finance] as reconciliation applies it: a partner whose profile accepts no 997 (or, answering with
        824s, ``answers_with = "824"``, no 824) cannot acknowledge what we send, so none is expected from it
        (expects_997 False); one that receives no 855 nor CSV
        acknowledgment gets none from us (expects_855 False). Its ASN window is the partner's one ASN deadline,
        ``[fulfilment.asn] window_minutes`` (_one_asn_window), the one ASN_LATE uses."""
        window = self.fulfilment.asn.window_minutes
        read_as = "824" if self.finance.answers_with == "824" else "997"  # a 999 is read as a 997 (accepts "997")
        update = {**({} if read_as in self.accepts else {"expects_997": False}),
                  **({} if {"855", "csv_ack"} & set(self.receives) else {"expects_855": False}),
                  **({} if self.finance.asn_window_minutes == window else {"asn_window_minutes": window})}
        return self.finance.model_copy(update=update) if update else self.finance

    @property
    def order_key_column(self) -> str:
        """The ORDERS column its orders are told apart by under one PO number ([x12] order_key_ref), "" for none:
        also for a partner without an [x12] table (CSV orders in, CSV acknowledgments out)."""
        return self.x12.order_key_column if self.x12 is not None else ""

    def is_csv_file(self, name: str) -> bool:
        """Is a file of this partner's drop a CSV order file (else X12)? A partner that sends only
        CSV: every file; one that sends both: names ending in .csv."""
        if not self.csv_orders:
            return False
        return not (set(self.accepts) & X12_ACCEPTED) or name.lower().endswith(".csv")

    @field_validator("rule_suites")
    @classmethod
    def _suites(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        known = {"standard", "items", "quantities", "prices", "terms", "ship_to", "dates", "credit"}
        unknown = [n for n in v if n not in known]
        if unknown:
            raise ValueError(f"unknown rule suites {unknown}; choose from {sorted(known)}")
        return v

    @field_validator("receives")
    @classmethod
    def _unique(cls, v: tuple) -> tuple:
        if len(set(v)) != len(v):
            raise ValueError("duplicate document types")
        if "810" in v and "880" in v:
            raise ValueError("a partner is invoiced by the 810 or by the 880 (grocery), not both")
        return v

    @property
    def invoice_set(self) -> str | None:
        """The invoice this partner receives: "810", "880" (the grocery invoice, engine.invoice_880), None: none."""
        return "880" if "880" in self.receives else "810" if "810" in self.receives else None

    @property
    def invoiced(self) -> bool:
        """The partner receives invoices from us (an 810 or an 880)."""
        return "810" in self.receives or "880" in self.receives


def _moved_ids(merged: dict, before: PartnerProfile) -> dict:
    """``merged`` (a profile as a dated change leaves it) keeping, as previous_ids / previous_our_ids /
    previous_gs_ids / previous_our_gs_ids, the interchange and group ids of ``before`` (the profile it replaces) that
    the change moved away from."""
    x = merged.get("x12")
    if not isinstance(x, dict) or before.x12 is None:
        return merged
    old = before.x12
    theirs = (str(x.get("their_qualifier", "")), str(x.get("their_id", "")))
    ours = (str(x.get("our_qualifier", "")), str(x.get("our_id", "")))
    x = dict(x)
    if (old.their_qualifier, old.their_id) != theirs and "previous_ids" not in x:
        x["previous_ids"] = [[old.their_qualifier, old.their_id]]
    if (old.our_qualifier, old.our_id) != ours and "previous_our_ids" not in x:
        x["previous_our_ids"] = [[old.our_qualifier, old.our_id]]
    if old.their_gs_id != x.get("their_gs_id") and "previous_gs_ids" not in x:
        x["previous_gs_ids"] = [old.their_gs_id]
    if old.our_gs_id != x.get("our_gs_id") and "previous_our_gs_ids" not in x:
        x["previous_our_gs_ids"] = [old.our_gs_id]
    # the ids of every earlier switch (those the change before this one replaced, and theirs) stay the partner's as
    # former_ids / former_gs_ids: a file from the VAN it left two switches ago is still its own, answered at the ids
    # in effect; an id it sends from again (a move back) is not former. Ours: kept as previous_our_ids
    now = {theirs, *_pairs_of(x.get("their_ids"))}
    previous = set(_pairs_of(x.get("previous_ids")))
    earlier = [*_pairs_of(x.get("former_ids")), *old.former_ids, *old.previous_ids]
    x["former_ids"] = _once([p for p in earlier if p not in now and p not in previous])
    gs_now = {x.get("their_gs_id"), *x.get("their_gs_ids", ())}
    gs_earlier = [*x.get("former_gs_ids", ()), *old.former_gs_ids, *old.previous_gs_ids]
    x["former_gs_ids"] = _once([g for g in gs_earlier if g not in gs_now and g not in x.get("previous_gs_ids", ())])
    ours_now = {ours, *_pairs_of(x.get("our_ids"))}
    x["previous_our_ids"] = _once([p for p in [*_pairs_of(x.get("previous_our_ids")),
                                               *old.previous_our_ids] if p not in ours_now])
    return {**merged, "x12": x}


def _pairs_of(v: object) -> tuple[tuple[str, str], ...]:
    """The interchange id pairs written as ``v`` (isa_pairs), () for none or for what is no list of them (the
    profile's validation names that)."""
    try:
        pairs = isa_pairs(v if v is not None else [])
    except ValueError:
        return ()
    return tuple(pairs) if isinstance(pairs, tuple | list) else ()


def _once(items: list) -> list:
    """``items`` without repeats, in order."""
    return list(dict.fromkeys(tuple(i) if isinstance(i, list) else i for i in items))


def load_profile(path: Path) -> PartnerProfile:
    try:
        return _profile_of(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read partner profile: {exc}", path=str(path)) from exc
    except ValidationError as exc:
        raise ConfigError(f"invalid partner profile: {exc}", path=str(path)) from exc


@functools.lru_cache(maxsize=4096)
def _profile_of(text: str) -> PartnerProfile:
    """A profile's TOML text read and validated, once per text in a process (the model is frozen, so one
    object serves every caller). A night's per-partner stages each load the workspace's profiles, so
    without it a night of N partners validated N x N profiles (bench/bench_partners.py: most of a
    400-partner night's time). Keyed by the text, so an edited file is read again; a text that does not
    load is not kept (its error raised again each time)."""
    return PartnerProfile.model_validate(tomllib.loads(text))


def problem_at(exc: ConfigError) -> tuple[str, int | None, str | None]:
    """Where a profile that does not load is wrong, as far as its loader says: (the first field refused,
    e.g. "x12.usage", or ""; the TOML line the reader stopped at, or None; the value given, or None)."""
    cause = exc.__cause__
    if isinstance(cause, ValidationError):
        for e in cause.errors(include_url=False):
            given = e.get("input")
            return (".".join(str(x) for x in e.get("loc", ())), None,
                    None if isinstance(given, dict) or given is None else str(given))
    if isinstance(cause, tomllib.TOMLDecodeError):
        at = re.search(r"at line (\d+)", str(cause))
        return "", int(at.group(1)) if at else None, None
    return "", None, None


def profile_problem(exc: ConfigError) -> str:
    """Why a profile did not load, on one line, as ops can act on it: each field pydantic refused with
    its message and the value given (``x12.usage: Input should be 'P' or 'T' (given 'X')``), or the TOML
    reader's reason with its line and column, or the loader's own message."""
    cause = exc.__cause__
    if isinstance(cause, ValidationError):
        out = []
        for e in cause.errors(include_url=False):
            where = ".".join(str(x) for x in e.get("loc", ()))
            given = f" (given {e['input']!r})" if "input" in e and not isinstance(e["input"], dict) else ""
            said = e["msg"].removeprefix("Value error, ")  # a check of ours says its own words (and where)
            if str(e.get("type", "")).startswith("date_"):  # `effective = 15/01/2027`: how a TOML date is written
                given += "; a date is written YYYY-MM-DD, as 2027-01-15"
            out.append(f"{where}: {said}{given}" if where else f"{said}{given}")
        return "; ".join(out)
    if isinstance(cause, tomllib.TOMLDecodeError):
        return f"not TOML: {cause}"
    if cause is not None:
        return f"cannot be read: {cause}"
    return exc.message


def load_profiles_apart(folder: Path) -> tuple[dict[str, PartnerProfile], dict[str, ConfigError]]:
    """Every profile of ``folder`` that loads, and apart from them, keyed by its file's name (the
    partner's id, as the file must be named), the ConfigError of each that does not: one partner's
    broken profile is that partner's failure, not every partner's (flows.night). A profile whose id is
    not its file's name does not load; two files cannot then both hold one id."""
    profiles: dict[str, PartnerProfile] = {}
    broken: dict[str, ConfigError] = {}
    for path in sorted(Path(folder).glob("*.toml")):
        try:
            p = load_profile(path)
        except ConfigError as exc:
            broken[path.stem] = exc
            continue
        if path.stem != p.id:
            broken[path.stem] = ConfigError(f"profile file name must equal its id ({p.id!r}: name the file "
                                            f"{p.id}.toml, or set id = {path.stem!r})", id=p.id, path=str(path))
            continue
        profiles[p.id] = p
    return profiles, broken


def load_profiles(folder: Path) -> dict[str, PartnerProfile]:
    """Every profile of ``folder``, each one loading: the ConfigError of the first (by file name) that does not
    (load_profiles_apart's, for what needs them all, e.g. a state rebuild)."""
    profiles, broken = load_profiles_apart(folder)
    if broken:
        raise broken[min(broken)]
    return profiles
