"""One inbound file through the pure pipeline: parse, validate, decide, build answers; partners' 997s
and 999s for our documents are read into FUNCTIONAL_ACKS (matched to what we sent by the flows,
engine.partner_acks).

Bytes + partner profile + what the state store already knows in; an Outcome out (findings,
canonical tables, documents still without control numbers, the file's disposition). No I/O:
the flow reads the file, asks the state store, numbers and writes the documents.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import partial

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engine.acks import (
    accepted_sets,
    build_997,
    group_rejected,
    interchange_findings,
    interchange_rejected,
    ta1_asked,
    ta1_segment,
    unnameable_groups,
)
from engine.budgets import cap_findings, file_too_large, set_too_large, spans_of, too_many_sets
from engine.csv_ack import build_csv_refusals
from engine.envelope import ack_built_as, ack_version, reply_address, ta1_version
from parsers.application_advice import read_application_advice
from parsers.functional_acks import ACK_SET_IDS, read_functional_acks, read_interchange_acks
from parsers.orders_850 import read_orders_with_sacs
from parsers.orders_860 import read_changes_with_sacs
from parsers.orders_875 import as_850
from parsers.orders_876 import as_860
from parsers.other_sets import Kept, handed_off, kept, kept_finding
from parsers.remittance import read_remittance_checked
from parsers.text_messages import read_text_messages
from parsers.x12_reader import ParseResult, charset, read_interchanges
from parsers.x12_stream import OversizedSet
from parsers.x12_writer import Segment
from rules.envelope import Acceptance, check_envelopes
from rules.guide import check_guide
from rules.lenient import accept_harmless, acted_by
from rules.outbound import echoes_too_long
from rules.set_checks import line_refs_echoed_by, marks_carried_by
from rules.structure import check_structure, dictionary_for, sdq_applied, taxes_of_invoices
from schemas.application_advice import APPLICATION_ADVICE
from schemas.changes import CHANGE_HEADERS, CHANGE_SACS, ORDER_CHANGES
from schemas.charsets import not_utf8_fix
from schemas.codes_finance import PARTNER_VERDICTS
from schemas.empty import empty_table
from schemas.findings import Finding, finding
from schemas.fulfilment import CsvAckSettings
from schemas.functional_acks import ACK_CONTENT, FUNCTIONAL_ACKS
from schemas.grocery_invoice import g72_sacs
from schemas.lifecycle import PlannedDocument, PlannedSet
from schemas.orders import ORDER_LINES, ORDER_SACS, ORDERS
from schemas.profile import PartnerProfile
from schemas.remittance import REMITTANCE
from schemas.text_messages import TEXT_MESSAGES
from schemas.x12 import FUNCTIONAL_ID, Address, Group, Interchange, TransactionSet, gs_id_valid

# GS01 of each inbound set: a set the profile may accept (PartnerProfile.accepts) is read and checked
# by its dictionary's table with no other change here.
FUNCTIONAL_FOR_SET = FUNCTIONAL_ID
# A partner whose 997s we take may answer with a 999 (the 005010 implementation acknowledgment some
# translators send for every set): read alike (parsers.functional_acks), so accepted alike.
ACK_SET_IDS_FOR = {"997": frozenset(ACK_SET_IDS)}


@dataclass(frozen=True, slots=True)
class EarlierUse:
    """The latest earlier use of a partner's control number: when the file that carried it was received
    (files.received_at, ISO) and the file's name."""

    received_at: str
    file: str


@dataclass(frozen=True, slots=True)
class Known:
    """What the state store already knows, asked for by the flow before processing a file."""

    interchanges: frozenset[tuple[str, str]] = frozenset()  # (sender id, ISA13) received before
    # of those, the ones received earlier in this same file (a file read a piece at a time)
    this_file_interchanges: frozenset[tuple[str, str]] = frozenset()
    # when and in which file each of them was last received: a number whose last use is older than the
    # partner's x12.duplicate_window_days is taken again (ISA_REUSED); one without is a duplicate.
    # No groups: GS01+GS02+GS03+GS06 is unique within its interchange (duplicate_envelopes), not across them
    interchange_uses: Mapping[tuple[str, str], EarlierUse] = field(default_factory=dict)
    # the acknowledgments (ack_content) each of them brought, for those that brought any: an interchange of
    # acknowledgments alone repeating one taken before (a VAN's resend) is a repeat (ISA_ACKS_REPEATED), not a duplicate
    earlier_acks: Mapping[tuple[str, str], tuple] = field(default_factory=dict)
    # the acknowledgments (ack_content) an interchange of this file too large to hold brings, read beforehand batch by
    # batch (engine.process_batches.acks_said), for duplicate_envelopes to compare with earlier_acks: a resend over
    # SPLIT_BYTES is a repeat as a small one is (it stayed ISA_DUPLICATE: its envelope alone was compared)
    said_acks: Mapping[tuple[str, str], tuple] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OutDoc:
    """A document to send, not yet numbered: the flow takes control numbers and wraps it."""

    doc_type: str  # "TA1", "997" (855s come from engine.decide / engine.answer, after business rules)
    doc_key: str  # unique per partner: the state store refuses to build a key twice
    functional_id: str = ""  # GS01 (FA, PR); "" for TA1
    bodies: tuple[tuple[Segment, ...], ...] = ()  # one per transaction set
    ta1: tuple[str, ...] = ()
    po_numbers: tuple[str, ...] = ()
    to: Address | None = None  # a 997 to its group's GS02, a TA1 to its ISA06 (engine.envelope.reply_address)


@dataclass(slots=True)
class Outcome:
    file: str
    sha256: str
    parse: ParseResult | None  # None for a CSV order file
    findings: list[Finding] = field(default_factory=list)
    orders: pa.Table = field(default_factory=partial(empty_table, ORDERS))
    lines: pa.Table = field(default_factory=partial(empty_table, ORDER_LINES))
    sacs: pa.Table = field(default_factory=partial(empty_table, ORDER_SACS))  # the 850s' SAC allowances and charges
    documents: list[OutDoc] = field(default_factory=list)
    answers: list[PlannedDocument] = field(default_factory=list)  # built whole at intake (a CSV refusal)
    accepted_orders: list[str] = field(default_factory=list)  # order_ref of syntactically accepted POs
    change_headers: pa.Table = field(default_factory=partial(empty_table, CHANGE_HEADERS))  # accepted 860s
    changes: pa.Table = field(default_factory=partial(empty_table, ORDER_CHANGES))
    change_sacs: pa.Table = field(default_factory=partial(empty_table, CHANGE_SACS))  # the 860s' SACs
    disposition: str = "processed"  # or "quarantine"
    interchanges_seen: list[tuple[str, str]] = field(default_factory=list)
    groups_seen: list[tuple[str, str, str, str]] = field(default_factory=list)  # (GS01, GS02, GS03, GS06)
    functional_acks: pa.Table = field(default_factory=partial(empty_table, FUNCTIONAL_ACKS))  # partners' 997/999s
    # the OTIs of partners' 824s accepted (matched to what we sent by the flows, engine.application_advice)
    advice: pa.Table = field(default_factory=partial(empty_table, APPLICATION_ADVICE))
    # the messages of partners' 864s accepted (for people: kept with the run's reports, flows.text_messages)
    text_messages: pa.Table = field(default_factory=partial(empty_table, TEXT_MESSAGES))
    # the sets taken without processing (an 820, an 812, an 852 ...): the 820s' and 812s' figures for the
    # reconciliation (parsers.remittance), and each set alone in its envelope for ops and the ERP, (file name,
    # bytes) (parsers.other_sets.handed_off), both kept by the flows (flows.handoff)
    remittance: pa.Table = field(default_factory=partial(empty_table, REMITTANCE))
    handoff: list[tuple[str, bytes]] = field(default_factory=list)
    kept: list[Kept] = field(default_factory=list)  # handoff's sets as their findings state them, in its order
    row_pos: dict[int, str] = field(default_factory=dict)  # a CSV file's row (of a finding) -> the PO it names
    encoding: str = ""  # the one a CSV file was read in (its record's files.encoding; "" for X12 or none decoded)
    # each 850 and 860 of the file as read, taken or not: (ISA13, GS06, ST02, ordinal of its ST in the file, the PO
    # number its BEG03 / BCH03 gives); engine.lifecycle.intake.finding_po names the set of a finding by it
    set_pos: list[tuple[str, str, str, int, str]] = field(default_factory=list)

    @property
    def error_count(self) -> int:
        """The file's errors: a partner's rejection of a document of ours it told (PARTNER_VERDICTS) is an error
        for ops, not one of the file's (it never quarantines the partner's valid acknowledgment)."""
        return sum(1 for f in self.findings if f.severity == "error" and f.code not in PARTNER_VERDICTS)


def inbound_sets(interchanges: Sequence[Interchange], profile: PartnerProfile
                 ) -> list[tuple[Interchange, Group, TransactionSet]]:
    """(interchange, group, set) of every set the profile accepts that sits in its own group
    (FUNCTIONAL_FOR_SET), in file order; each group's GS01 read once, not once per set."""
    accepts = frozenset(profile.accepts)
    return [(ic, g, ts) for ic in interchanges for g in ic.groups for gs01 in (g.functional_id,)
            for ts in g.transactions if ts.set_id in accepts and FUNCTIONAL_FOR_SET.get(ts.set_id) == gs01]


def with_kept(sets: list[tuple[Interchange, Group, TransactionSet]], interchanges: Sequence[Interchange],
              accept: Acceptance) -> list[tuple[Interchange, Group, TransactionSet]]:
    """``sets`` (inbound_sets) and the sets taken without processing (Acceptance.kept: an 820, an 812, an 852 ...),
    in file order: what rules.structure judges for the 997. A kept set is judged by its version's dictionary where
    that holds its set's table (the 820 and 812), its elements where the dictionary knows the segment; a set whose
    table it lacks is judged on its envelope alone, as before (nothing stricter than the standard)."""
    kept = [(ic, g, ts) for ic in interchanges for g in ic.groups for gid in (g.functional_id,)
            for ts in g.transactions if accept.kept(gid, ts.set_id)]
    return sorted(sets + kept, key=lambda s: s[2].start) if kept else sets


# the 999's notes, which some 005010 translators write in their 997s in place of AK3/AK4/AK5
# (parsers.functional_acks reads them alike)
_IMPLEMENTATION_NOTES = ("IK3", "IK4", "IK5")


def as_written(result: ParseResult, sets: list[tuple[Interchange, Group, TransactionSet]]
               ) -> list[tuple[Interchange, Group, TransactionSet]]:
    """``sets`` with each partner 997 written with the 999's notes (IK3, IK4, IK5) judged by the 999's
    table of its version (none before 005010: not checked), not refused segment by segment: its answers
    are read alike and its file is not quarantined for the partner's choice of note."""
    if not len(result.segments):
        return sets
    rows = np.sort(np.concatenate([np.asarray(result.segments.rows_of(s), np.int64) for s in _IMPLEMENTATION_NOTES]))
    if not len(rows):
        return sets
    out = []
    for ic, g, ts in sets:
        if ts.set_id == "997" and np.searchsorted(rows, ts.start, side="right") < np.searchsorted(rows, ts.end,
                                                                                                   side="right"):
            ts = replace(ts, set_id="999")
        out.append((ic, g, ts))
    return out


def by_ak103(result: ParseResult, sets: list[tuple[Interchange, Group, TransactionSet]]
             ) -> list[tuple[Interchange, Group, TransactionSet]]:
    """``sets`` with each partner 997 of a group before 005010 whose AK1 carries AK103 (the version element
    005010 added, which some translators write whatever the group's version) judged by 005010's 997 table: the
    element we do not need is no ELEMENT_TOO_MANY that quarantines the partner's answer (read alike:
    parsers.functional_acks takes AK103 where there is one)."""
    if not len(result.segments):
        return sets
    rows = np.sort(np.asarray(result.segments.rows_of("AK1"), np.int64))
    if not len(rows):
        return sets
    out = []
    for ic, g, ts in sets:
        if ts.set_id == "997" and dictionary_for(g.version) is not None and g.version[:6] < "005010":
            k = int(np.searchsorted(rows, ts.start))
            if k < len(rows) and rows[k] <= ts.end and len(result.segments.row(int(rows[k]))) == 4:
                g = replace(g, elements=[*g.elements[:7], *[""] * (7 - len(g.elements)), "005010"])
        out.append((ic, g, ts))
    return out


def acceptance_for(profile: PartnerProfile) -> Acceptance:
    sets: dict[str, frozenset[str]] = {}
    for s in profile.accepts:
        if s not in FUNCTIONAL_FOR_SET:  # "csv": CSV order files, read by process_csv_file
            continue
        fid = FUNCTIONAL_FOR_SET[s]
        sets[fid] = sets.get(fid, frozenset()) | ACK_SET_IDS_FOR.get(s, {s})
    keep = profile.x12.other_sets == "keep"
    if profile.x12.other_versions != "reject":
        return Acceptance(sets=sets, versions=None, other_versions=profile.x12.other_versions, keep_others=keep)
    return Acceptance(sets=sets, keep_others=keep)


def partner_checks(ic: Interchange, profile: PartnerProfile) -> list[Finding]:
    out: list[Finding] = []
    x = profile.x12
    loc = dict(seg="ISA", isa13=ic.control_number, file_segment=ic.start + 1)
    # a partner may send from several interchange ids ([x12] their_ids: a VAN move, a retailer's divisions, a DUNS
    # and a DUNS+4) and to several of ours (our_ids): any listed pair is the partner's / ours
    # ids a dated change still to come announces ([[changes]]: a new VAN's test or first files before the agreed
    # date) are the partner's, with PARTNER_SWITCH_EARLY: taken ([x12] early_ids "take"), or held (quarantined)
    if not x.sends_from(ic.sender_qualifier, ic.sender):
        early = profile.announced(ic.sender_qualifier, ic.sender)
        if early is not None:
            out.append(switch_early(profile, early, "ISA05/06", ic.sender_qualifier, ic.sender, element="ISA06",
                                    **loc))
        else:
            out.append(finding("PARTNER_SENDER_MISMATCH", f"ISA05/06 {ic.sender_qualifier}/{ic.sender} is not "
                               f"partner {profile.id} ({_pairs(x.their_qualifier, x.their_id, x.their_ids)}).",
                               element="ISA06", value=ic.sender, **loc))
    if not x.writes_to(ic.receiver_qualifier, ic.receiver):
        early = profile.announced(ic.receiver_qualifier, ic.receiver, ours=True)
        if early is not None:
            out.append(switch_early(profile, early, "ISA07/08", ic.receiver_qualifier, ic.receiver,
                                    element="ISA08", **loc))
        else:
            out.append(finding("ISA_RECEIVER_UNKNOWN", f"ISA07/08 {ic.receiver_qualifier}/{ic.receiver} is not us "
                               f"({_pairs(x.our_qualifier, x.our_id, x.our_ids)}).", element="ISA08",
                               value=ic.receiver, **loc))
    # a change to come that moves the partner's GS02 alone (the same ISA ids): a group from that GS02 before the
    # date is as early as an interchange from announced ISA ids (not when the ISA ids are early: said once, there)
    early_gs = profile.announced_gs_ids(listed=False) if x.sends_from(ic.sender_qualifier, ic.sender) else {}
    for g in ic.groups if early_gs else ():
        if g.sender in early_gs:
            out.append(switch_early(profile, early_gs[g.sender], "GS02", "", g.sender, element="GS02", seg="GS",
                                    isa13=ic.control_number, gs06=g.control_number, file_segment=g.start + 1))
    if ic.usage and ic.usage != x.usage:
        out.append(finding("ISA_USAGE_MISMATCH", f"ISA15 is {ic.usage}; the profile says {x.usage}.",
                           element="ISA15", value=ic.usage, **loc))
    if x.their_gs_ids:  # a network's buyers: a GS02 on neither list is a buyer ops did not expect
        out += _gs_ids_unlisted(ic, profile, "GS02", {x.their_gs_id, *x.their_gs_ids, *x.former_gs_ids,
                                                      *x.previous_gs_ids, *profile.announced_gs_ids()})
    if x.our_gs_ids:  # our application ids (one per division): a GS03 on neither list is one ops did not expect
        out += _gs_ids_unlisted(ic, profile, "GS03", {x.our_gs_id, *x.our_gs_ids, *x.previous_our_gs_ids})
    return out


def switch_early(profile: PartnerProfile, effective: date, elements: str, qualifier: str, isa_id: str, *,
                 element: str, **loc) -> Finding:
    """PARTNER_SWITCH_EARLY for an interchange from (ISA05/06) or to (ISA07/08) ``qualifier``/``isa_id``, or a group
    from GS02 ``isa_id`` (``elements`` "GS02", no qualifier), ids the profile's change effective ``effective``
    announces: a warning when [x12] early_ids is "take" (the interchange taken and answered), an error when "hold"
    (not answered, the file quarantined for ops to retake)."""
    change = next((c for c in profile.changes if c.effective == effective), None)
    why = f" ({change.note})" if change is not None and change.note else ""
    whose = f"partner {profile.id}'s" if elements in ("ISA05/06", "GS02") else f"ours for partner {profile.id}"
    named = f"{qualifier}/{isa_id}" if qualifier else isa_id
    said = (f"{elements} {named} is {whose} from its change effective {effective.isoformat()}{why}, a "
            "date not come yet: ")
    if profile.x12.early_ids == "hold":
        said += (f"held ([x12] early_ids = \"hold\"): not answered, not processed, the file quarantined until the "
                 f"night of {effective.isoformat()}, which takes it. To take it before (the partner confirms it is "
                 "meant, or the switch came forward): set early_ids = \"take\" or move the change's effective date, "
                 f"then `orderbridge retake FILE --partner {profile.id} --by NAME --note WHY`.")
        return finding("PARTNER_SWITCH_EARLY", said, severity="error", element=element, value=isa_id, **loc)
    said += ("taken as the partner's ([x12] early_ids = \"take\"); its TA1 and 997 echo its envelope, its orders' "
             f"855/865/856/810 go to the ids in effect until {effective.isoformat()}, to the new ones from then. "
             "Check with the partner whether the switch came forward (and the change's date with it).")
    return finding("PARTNER_SWITCH_EARLY", said, element=element, value=isa_id, **loc)


def early_files_due(held: Iterable[Mapping], profile: PartnerProfile) -> list[Mapping]:
    """Of ``held`` (PARTNER_SWITCH_EARLY errors recorded for ``profile``'s partner: file, element ISA06, ISA08 or GS02,
    value the id, and the held file's record), those the profile in effect now takes: the id they were held for is
    the partner's (their_id, their_ids) or ours (our_id, our_ids) now, its switch date come. Each once, in order."""
    x = profile.x12
    if x is None:
        return []
    theirs = {x.their_id, *(i for _q, i in x.their_ids)}
    ours = {x.our_id, *(i for _q, i in x.our_ids)}
    ids = {"ISA08": ours, "GS02": {x.their_gs_id}}  # (a GS02 the change moved to: the one in effect now)
    out, seen = [], set()
    for h in held:
        key = (h["partner"], h["sha256"])
        if key not in seen and (h["value"] or "") in ids.get(h["element"], theirs):
            seen.add(key)
            out.append(h)
    return out


def sender_refused(findings: Iterable[Finding]) -> bool:
    """An interchange the partner checks refuse (never answered, its file quarantined): another sender's
    (PARTNER_SENDER_MISMATCH), or one from ids a change to come announces, held ([x12] early_ids "hold")."""
    return any(f.code == "PARTNER_SENDER_MISMATCH" or (f.code == "PARTNER_SWITCH_EARLY" and f.severity == "error")
               for f in findings)


def owners_named(findings: list[Finding], interchanges: Sequence[Interchange],
                 profiles: Mapping[str, PartnerProfile]) -> list[Finding]:
    """``findings`` with each PARTNER_SENDER_MISMATCH saying whose interchange it is, when another partner's profile
    sends from its ISA05/ISA06 (a VAN mailbox's download of several partners' interchanges, put in one partner's
    drop): that partner's drop takes the same file, its own interchanges there (files are known per partner)."""
    senders = {ic.control_number: (ic.sender_qualifier, ic.sender) for ic in interchanges}
    out = []
    for f in findings:
        pair = senders.get(f.location.isa13) if f.code == "PARTNER_SENDER_MISMATCH" else None
        owners = sorted(pid for pid, p in profiles.items() if pair and p.x12 is not None and p.x12.sends_from(*pair))
        owners = [pid for pid in owners if profiles[pid].continued_by not in owners]  # [continues]: the continuer's
        if owners:
            f = replace(f, message=f"{f.message} It is partner {' or '.join(owners)}'s: put a copy of the file in "
                        "that drop's inbox, where its interchanges are taken (and this partner's are not); a VAN "
                        "mailbox's download goes in the workspace's mailbox/inbox/, which sends each interchange to "
                        "its own partner's drop.")
        out.append(f)
    return out


def _pairs(qualifier: str, isa_id: str, others: Sequence[tuple[str, str]]) -> str:
    """The profile's interchange id and its listed others, as a finding names them ("ZZ/ACME", "ZZ/ACME, 14/...")."""
    return ", ".join(f"{q}/{i}" for q, i in ((qualifier, isa_id), *others))


# per GS element a profile lists ids for: (whose ids, what its group's answers do with it, where to add it, who to ask)
_GS_LISTS = {
    "GS02": ("the GS ids", "go to {id} (GS03)", "their_gs_ids if it is a buyer of this partner",
             "ask the partner who sent it"),
    "GS03": ("our GS ids", "are sent from {id} (GS02)", "our_gs_ids if it is one of ours",
             "ask the partner whom it was meant for"),
}


def _gs_ids_unlisted(ic: Interchange, profile: PartnerProfile, element: str, listed: set[str]) -> list[Finding]:
    """GS_ID_MISMATCH (a warning: the group is taken, answered to/from the id it names) for each group of ``ic``
    whose GS02 or GS03 (``element``) is none of the ids the profile lists (``listed``)."""
    whose, answered, add, ask = _GS_LISTS[element]
    out = []
    for g in ic.groups:
        value = g.sender if element == "GS02" else g.receiver
        if value and value not in listed and gs_id_valid(value):  # an invalid one: GS_APPLICATION_ID_INVALID
            out.append(finding(
                "GS_ID_MISMATCH", f"{element} {value} is none of {whose} profile {profile.id} lists "
                f"({', '.join(sorted(listed))}); the group is taken, and its 997 and its orders' documents "
                f"{answered.format(id=value)}. Add it to [x12] {add}, else {ask}.", seg="GS",
                isa13=ic.control_number, gs06=g.control_number, file_segment=g.start + 1, element=element,
                value=value))
    return out


def group_key(g: Group) -> tuple[str, str, str, str]:
    """What must not repeat for a functional group: GS01 + GS02 + GS03 + GS06."""
    return g.functional_id, g.sender, g.receiver, g.control_number


def envelope_keys(result: ParseResult) -> frozenset[tuple[str, str]]:
    """The (sender, ISA13) of every interchange of a parsed file: all that duplicate_envelopes asks Known
    about (a Known holding the store's answer for these keys alone decides as one holding the partner's
    whole history). Groups are compared within their interchange, with nothing from the store."""
    return frozenset((ic.sender, ic.control_number) for ic in result.interchanges)


def reuse_age(use: EarlierUse | None, today: date, window_days: int) -> int | None:
    """Days between the date ``use`` was received and ``today`` when more than ``window_days`` (the number
    may be taken again); None while the number is still within the window, when its use is unknown, or
    when the window is 0 (for ever). By dates, not times: a store rebuilt from the archive (whose files
    carry their day) decides as the night did."""
    if use is None or window_days <= 0:
        return None
    days = (today - date.fromisoformat(use.received_at[:10])).days
    return days if days > window_days else None


def _seen_before(key, mine: set, known_keys: frozenset, uses: Mapping, today: date,
                 window_days: int) -> tuple[str, EarlierUse | None, int | None]:
    """A control number seen before: ('', its earlier use, its age in days) when it may be taken again
    (last used in an earlier file, beyond the window), else (where it was seen, None, None)."""
    use = uses.get(key) if key not in mine else None
    age = reuse_age(use, today, window_days)
    if age is None:
        return ("earlier in this file" if key in mine or key not in known_keys else "in an earlier file"), None, None
    return "", use, age


def ack_content(rows: Iterable[Mapping]) -> tuple:
    """What acknowledgments say (FUNCTIONAL_ACKS rows, or partner_acks rows as stored): each one's type, what
    it answers and its verdict with its notes in words (``reasons``: the AK3/AK4 notes and codes), in order,
    without where or when it was written (envelopes, file, ISA09/ISA10, GS04/GS05): a resend re-enveloped by a
    VAN says the same."""
    return tuple(sorted(tuple(r[c] or "" for c in ACK_CONTENT) for r in rows))


def with_acks(known: Known, acks: Mapping[tuple[str, str], Iterable[Mapping]]) -> Known:
    """``known`` with what acknowledgments its interchanges brought (``acks``: key -> the stored
    partner_acks rows, each interchange's read by ack_content)."""
    return replace(known, earlier_acks={k: ack_content(rows) for k, rows in acks.items()})


def with_more_acks(known: Known, acks: Mapping[tuple[str, str], Iterable[Mapping]]) -> Known:
    """``known`` with the acknowledgments ``acks`` names added to those it holds (with_acks' reading); ``known``
    itself when ``acks`` is empty."""
    if not acks:
        return known
    return replace(known, earlier_acks={**known.earlier_acks, **{k: ack_content(rows) for k, rows in acks.items()}})


def span_earlier(known: Known, key: tuple[str, str]) -> list[tuple[str, str]]:
    """For one interchange read in batches (``key``: its sender and ISA13): [key] when it came in an earlier file
    (its acknowledgments are to be asked of the store, so engine.process_batches can tell a resend of them,
    ISA_ACKS_REPEATED, at any size); none for the usual interchange (a number never seen: nothing more asked)."""
    return [key] if key in known.interchanges and key not in known.this_file_interchanges else []


def duplicated_earlier(known: Known, findings: Iterable[Finding]) -> list[tuple[str, str]]:
    """For a piece of a file read in pieces (``known``: the partner's interchange history, no acknowledgments):
    the keys (sender, ISA13) of the interchanges of earlier files that ``findings`` (the piece's) found
    ISA_DUPLICATE, whose acknowledgments the piece is to be told again knowing (again_with_acks); none for the
    usual piece (nothing more asked, the piece not read again)."""
    again = {f.location.isa13 for f in findings if f.code == "ISA_DUPLICATE" and f.location.isa13}
    if not again:
        return []
    return [k for k in known.interchanges - known.this_file_interchanges if k[1] in again]


def again_with_acks(known: Known, acks: Mapping[tuple[str, str], Iterable[Mapping]]) -> Known | None:
    """The Known a piece is told again with (duplicated_earlier's interchanges with the acknowledgments they
    brought, ``acks``: as known_for asks for a file read whole), so a partner's interchange of acknowledgments
    sent again under its ISA13 is told a repeat (ISA_ACKS_REPEATED) there too; None when the store holds none
    for them (the piece's findings stand, it is not read again)."""
    return with_acks(known, acks) if acks else None


def acks_only(ic: Interchange) -> bool:
    """An interchange of acknowledgments alone: its groups FA groups of 997/999s (or none: TA1s)."""
    return all(g.functional_id == "FA" and all(ts.set_id in ACK_SET_IDS for ts in g.transactions)
               for g in ic.groups)


def _acks_of(result: ParseResult, ic: Interchange) -> tuple:
    sets = [(ic, g, ts) for g in ic.groups for ts in g.transactions]
    rows = read_functional_acks(result, partner="", sets=sets)[0].to_pylist() if sets else []
    return ack_content(rows + read_interchange_acks(result, [ic], partner="")[0].to_pylist())


def duplicate_envelopes(result: ParseResult, candidates: list[Interchange], findings: list[Finding],
                        known: Known, *, today: date, window_days: int = 0, resent: str = "") -> list[Finding]:
    """ISA_DUPLICATE for an interchange whose (sender, ISA13) was accepted before, in an earlier file or
    earlier in this one; GS_DUPLICATE for a group whose GS01+GS02+GS03+GS06 was accepted earlier in the
    same interchange. Only the repeat is refused: the first copy stands. A copy refused for another
    reason does not count as received.
    An ISA13 last received in an earlier file more than ``window_days`` before ``today`` (X12.6 asks for
    unique numbers "within a reasonably extended time frame"; translators restart and wrap) is taken
    again, with a warning naming its earlier use (ISA_REUSED); 0: never taken again.
    A group number is unique within its interchange only (X12 RFI 362: "The combination of
    GS01/GS02/GS03/GS06 has to be unique within an interchange"): many translators start GS06 at 1 in
    every interchange, so a GS06 used in another interchange is a new group, silently (a note each night
    for such a partner would say nothing). A resent interchange keeps its ISA13 (ISA_DUPLICATE); a PO
    resent in new envelopes is the order-level duplicate (ORDER_DUPLICATE, at intake).
    An interchange of acknowledgments alone (997/999 groups, TA1s) received in an earlier file whose
    acknowledgments (ack_content) are those it brought then (``known.earlier_acks``) is ISA_ACKS_REPEATED, a
    warning: a VAN's resend of answers we hold, not read again; one whose acknowledgments differ (a verdict
    changed under a reused number) stays ISA_DUPLICATE, saying so.
    ``resent``: what an ISA_DUPLICATE tells instead of "this copy is not processed." (a warehouse's 945s,
    engine.warehouse_acks: nothing in the copy ships again), naming the earlier file that brought it."""
    out: list[Finding] = []
    seen_ic = set(known.interchanges)
    mine_ic = set(known.this_file_interchanges)  # taken in this file (a repeat of them is a duplicate)
    for ic in candidates:
        key = (ic.sender, ic.control_number)
        if interchange_rejected(ic, findings + out):
            continue
        loc = dict(seg="ISA", element="ISA13", value=ic.control_number, isa13=ic.control_number,
                   file_segment=ic.start + 1)
        if key in seen_ic:
            where, use, age = _seen_before(key, mine_ic, known.interchanges, known.interchange_uses, today,
                                           window_days)
            earlier = known.earlier_acks.get(key) if where == "in an earlier file" and acks_only(ic) else None
            said = (known.said_acks[key] if key in known.said_acks else _acks_of(result, ic)) if earlier else None
            if said and said == earlier:
                out.append(finding("ISA_ACKS_REPEATED", f"ISA13 {ic.control_number} from {ic.sender} was received "
                                   f"in an earlier file{_in_file(known, key)} with the same acknowledgments; this "
                                   "copy repeats them and is not read again.", **loc))
                continue
            if where:
                differ = (" Its acknowledgments differ from those that interchange brought (a verdict changed "
                          "under a reused number): ask the partner which stands.") if said else ""
                first = known.interchange_uses.get(key) if resent and where == "in an earlier file" else None
                named = f" ({first.file})" if first is not None and first.file else ""
                out.append(finding("ISA_DUPLICATE", f"ISA13 {ic.control_number} from {ic.sender} was received "
                                   f"{where}{named}; {resent or 'this copy is not processed.'}{differ}", **loc))
                continue
            out.append(finding("ISA_REUSED", f"ISA13 {ic.control_number} from {ic.sender} was last received "
                               f"{use.received_at[:10]} in file {use.file} ({age} days ago, more than this "
                               f"partner's {window_days}-day duplicate window); taken as a new interchange.", **loc))
        seen_ic.add(key)
        mine_ic.add(key)
        seen_g: set[tuple[str, str, str, str]] = set()  # the groups of this interchange taken so far
        for g in ic.groups:
            gkey = group_key(g)
            if gkey in seen_g:
                out.append(finding("GS_DUPLICATE", f"Group {'+'.join(gkey)} (GS01+GS02+GS03+GS06) was received "
                                   f"earlier in interchange {ic.control_number}; this copy is not processed.",
                                   seg="GS", element="GS06", value=g.control_number, isa13=ic.control_number,
                                   gs06=g.control_number, file_segment=g.start + 1))
            elif not group_rejected(g, findings)[0]:
                seen_g.add(gkey)
    return [f.with_file(result.file) if result.file else f for f in out]


def _in_file(known: Known, key: tuple[str, str]) -> str:
    use = known.interchange_uses.get(key)
    return f" ({use.file}, {use.received_at[:10]})" if use is not None and use.file else ""


def repeated_interchanges(findings: Iterable[Finding]) -> set[int]:
    """The first segment (file ordinal, as the finding's) of each interchange ISA_ACKS_REPEATED: not read again."""
    return {f.location.file_segment for f in findings if f.code == "ISA_ACKS_REPEATED"}


def process_file(data: bytes, *, file: str, sha256: str, profile: PartnerProfile, known: Known,
                 today: date, received_at: datetime | None = None, row_base: int = 0,
                 oversized: Sequence[OversizedSet] = (), file_size: int | None = None,
                 parsed: ParseResult | None = None, agreed_currency: str | None = None) -> Outcome:
    """``received_at``: when the file was picked up (the run clock), kept on partners' 997s. ``parsed``:
    ``read_interchanges(data, file=file)`` when the caller has it already (it asked the store about the
    file's envelopes, envelope_keys), not read again.

    A file read a piece at a time (parsers.x12_stream): ``data`` is one piece of whole interchanges,
    ``row_base`` the segments of the file before it (every segment ordinal and document key is the
    file's, as if it were read whole), ``oversized`` its sets whose bodies were left out (each gets
    SET_TOO_LARGE, a set rejection, instead of the checks of a body it no longer has), ``file_size``
    the whole file's size. ``agreed_currency``: the currency agreed with the partner (customers.csv; None: not
    known), a PO's that sends no heading CUR (rules.structure.check_structure)."""
    over = file_too_large(len(data) if file_size is None else file_size, profile.limits, file=file)
    if over is not None:  # the flow does not even read such a file; here it is not parsed
        return Outcome(file=file, sha256=sha256, parse=read_interchanges(b"", file=file), findings=[over],
                       disposition="quarantine")
    result = read_interchanges(data, file=file) if parsed is None else parsed
    out = _process(result, file=file, sha256=sha256, profile=profile, known=known, today=today,
                   received_at=received_at, row_base=row_base, oversized=oversized, agreed_currency=agreed_currency)
    return shifted(out, row_base) if row_base else out


def expected_encoding(findings: list[Finding], profile: PartnerProfile, result: ParseResult | None = None) \
        -> list[Finding]:
    """``findings`` without X12_NOT_UTF8 for a partner whose profile says its translator is ISO-8859-1 or
    Windows-1252 (``[x12] encoding = "latin-1"`` or "cp1252": it reads our documents so, and sends its own so): a
    single-byte file is what it always sends, and the warning on each of its files was noise. Any other partner's
    keeps it, saying how to end it: the encoding to set in its profile, the one its file (``result``) shows
    (schemas.charsets.not_utf8_fix). It used to say only that the file was read as Windows-1252, on every file."""
    if profile.x12.encoding in ("latin-1", "cp1252"):
        return [f for f in findings if f.code != "X12_NOT_UTF8"]
    if not any(f.code == "X12_NOT_UTF8" for f in findings):
        return findings
    fix = not_utf8_fix(charset(result) if result is not None else "latin-1", profile.x12.encoding, profile.id)
    return [replace(f, message=f"{f.message} {fix}") if f.code == "X12_NOT_UTF8" else f for f in findings]


def sets_too_large(result: ParseResult, oversized: Sequence[OversizedSet], limits, file: str) -> list[Finding]:
    """SET_TOO_LARGE for each set whose body the streaming reader left out (by its ordinal in the piece)."""
    if not oversized:
        return []
    by_ordinal = {o.ordinal: o for o in oversized}
    out = []
    for k, (ic, g, ts) in enumerate(result.transaction_sets()):
        o = by_ordinal.get(k)
        if o is not None:
            out.append(set_too_large(o.size, o.segments, limits, file=file, isa13=ic.control_number,
                                     gs06=g.control_number, st02=ts.control_number, file_segment=ts.start + 1,
                                     set_id=ts.set_id))
    return out


def shifted(out: Outcome, rows: int) -> Outcome:
    """``out`` of a piece whose first segment is the file's segment ``rows + 1``: every segment ordinal
    (findings, the tables' lineage columns) made the file's."""
    def add(table: pa.Table, column: str) -> pa.Table:
        if column not in table.column_names or not table.num_rows:
            return table
        i = table.schema.get_field_index(column)
        col = pc.cast(pc.add(table[column], rows), table.schema.field(column).type)
        return table.set_column(i, table.schema.field(column), col)

    out.findings = [f if f.location.file_segment is None else
                    replace(f, location=replace(f.location, file_segment=f.location.file_segment + rows))
                    for f in out.findings]
    out.set_pos = [(isa13, gs06, st02, st + rows, po) for isa13, gs06, st02, st, po in out.set_pos]
    out.orders = add(out.orders, "st_file_segment")
    out.lines = add(out.lines, "file_segment")
    out.sacs = add(out.sacs, "file_segment")
    out.change_headers = add(out.change_headers, "st_file_segment")
    out.changes = add(out.changes, "file_segment")
    out.change_sacs = add(out.change_sacs, "file_segment")
    out.functional_acks = add(out.functional_acks, "file_segment")
    out.advice = add(out.advice, "file_segment")
    out.text_messages = add(out.text_messages, "file_segment")
    return out


def _process(result: ParseResult, *, file: str, sha256: str, profile: PartnerProfile, known: Known, today: date,
             received_at: datetime | None, row_base: int, oversized: Sequence[OversizedSet],
             agreed_currency: str | None = None) -> Outcome:
    out = Outcome(file=file, sha256=sha256, parse=result)
    over = too_many_sets(sum(len(g.transactions) for ic in result.interchanges for g in ic.groups), profile.limits,
                         file=file)
    if over is not None:
        out.findings, out.disposition = [over], "quarantine"
        return out
    findings = expected_encoding(list(result.findings), profile, result)
    accept = acceptance_for(profile)
    findings += check_envelopes(result, accept)
    foreign: set[int] = set()  # interchanges whose sender is not this partner: never answered
    for ic in result.interchanges:
        if not ic.rejected:
            partner_findings = partner_checks(ic, profile)
            if sender_refused(partner_findings):
                foreign.add(ic.start)
            findings += [f.with_file(file) for f in partner_findings]
    findings += duplicate_envelopes(result, [ic for ic in result.interchanges if ic.start not in foreign], findings,
                                    known, today=today, window_days=profile.x12.duplicate_window_days)
    # every inbound set the profile accepts, in its own group: by its version's dictionary (if we have
    # one and it has a table for the set), then by the partner's guide (if the profile has one)
    inbound = by_ak103(result, as_written(result, inbound_sets(result.interchanges, profile)))
    structural = check_structure(result, with_kept(inbound, result.interchanges, accept),
                                 common=profile.x12.other_versions == "common",
                                 invoice=profile.fulfilment.invoice,
                                 components=profile.fulfilment.asn.prepacks == "components",
                                 marks_carried=marks_carried_by(profile),
                                 refs_echoed=line_refs_echoed_by(profile), agreed_currency=agreed_currency)
    findings += taxes_of_invoices(sdq_applied(structural, profile), profile)
    findings += check_guide(result, inbound, profile.x12.guide)
    # an element error in what an order is not made of: accepted with errors noted ([x12] element_errors)
    findings = accept_harmless(findings, result, inbound, policy=profile.x12.element_errors,
                               acted=acted_by(profile))
    too_large = sets_too_large(result, oversized, profile.limits, file)
    if too_large:  # a set without its body: only its SET_TOO_LARGE speaks for it
        gone = {(f.location.isa13, f.location.gs06, f.location.st02) for f in too_large}
        findings = [f for f in findings if (f.location.isa13, f.location.gs06, f.location.st02) not in gone
                    or not f.location.st02] + too_large

    for ic in result.interchanges:  # a group no 997 can name makes its interchange's content invalid
        findings += [f.with_file(file) for f in unnameable_groups(ic)]
    findings = cap_findings(findings, profile.limits, spans_of(result.interchanges))
    order_sets, change_sets_ok, ack_sets, advice_sets, text_sets, grocery_sets = [], [], [], [], [], []
    grocery_changes: list[tuple[Interchange, Group, TransactionSet]] = []  # 876s, read as the 860s they say
    refused_texts: set[int] = set()  # the ST positions of the 864 sets refused (997 AK5 R)
    kept_sets: list[tuple[Interchange, Group, TransactionSet]] = []  # taken, not processed (an 820, an 852 ...)
    ta1_interchanges: list[Interchange] = []
    repeats = repeated_interchanges(findings)
    for ic in result.interchanges:
        sender_ok = ic.start not in foreign
        # an interchange of interchange acknowledgments alone (TA1s, no group) is never answered by a TA1, whatever
        # it asks (ISA14 1): acknowledging one invites a TA1 for our TA1, a loop X12 avoids by sending no TA1 for
        # an interchange without transactions (The Home Depot's gateway got our TA1 for its TA1)
        if ic.elements and (ic.rejected or (sender_ok and ic.groups)):
            policy = profile.acks.ta1
            requested = ta1_asked(ic, findings)
            has_error = bool([f for f in interchange_findings(ic, findings) if f.severity == "error"])
            if policy == "always" or (policy == "requested" and (requested or has_error)) or \
                    (policy == "on_error" and has_error):
                out.documents.append(OutDoc("TA1", f"TA1:{sha256}:{ic.control_number}:{ic.start + row_base}",
                                            ta1=tuple(ta1_segment(ic, findings, today=today)),
                                            to=reply_address(profile, ic.sender_qualifier, ic.sender, "",
                                                             isa_version=ta1_version(profile, ic.version),
                                                             our_qualifier=ic.receiver_qualifier,
                                                             our_id=ic.receiver)))
        if ic.rejected or interchange_rejected(ic, findings) or not sender_ok or ic.start + 1 in repeats:
            continue
        out.interchanges_seen.append((ic.sender, ic.control_number))
        if "997" in profile.accepts:  # the partner's TA1s for our interchanges, beside its 997s
            ta1_interchanges.append(ic)
        for g in ic.groups:
            if not group_rejected(g, findings)[0]:
                out.groups_seen.append(group_key(g))
            if g.functional_id != "FA" and profile.acks.send_997 and "997" in profile.receives:
                release = ack_version(profile, g.version)  # "": the profile's
                out.documents.append(OutDoc("997", f"997:{sha256}:{ic.control_number}:{g.control_number}:"
                                            f"{g.start + row_base}",
                                            functional_id="FA",
                                            bodies=(tuple(build_997(g, findings,
                                                                   version=ack_built_as(profile, release),
                                                                   avoid=profile.x12.delimiters.chars())),),
                                            to=reply_address(profile, ic.sender_qualifier, ic.sender, g.sender,
                                                             g.receiver, version=release,
                                                             our_qualifier=ic.receiver_qualifier,
                                                             our_id=ic.receiver)))
            if g.functional_id == "PO":
                order_sets += [(ic, g, ts) for ts in accepted_sets(g, findings) if ts.set_id == "850"]
            if g.functional_id == "OG" and "875" in profile.accepts:
                grocery_sets += [(ic, g, ts) for ts in accepted_sets(g, findings) if ts.set_id == "875"]
            if g.functional_id == "OG" and "876" in profile.accepts:
                grocery_changes += [(ic, g, ts) for ts in accepted_sets(g, findings) if ts.set_id == "876"]
            if g.functional_id == "PC" and "860" in profile.accepts:
                change_sets_ok += [(ic, g, ts) for ts in accepted_sets(g, findings) if ts.set_id == "860"]
            if g.functional_id == "FA" and "997" in profile.accepts:  # read tolerantly, whatever our checks said
                ack_sets += [(ic, g, ts) for ts in g.transactions if ts.set_id in ACK_SET_IDS]
            if g.functional_id == "AG" and "824" in profile.accepts:  # a refused one too (our 997 says why):
                # its verdict on our document is the partner's application's, as a 997's is read whatever our checks
                # said (a TED02 of 61 characters lost "rejected" on our 856, which read as its 997 had said)
                advice_sets += [(ic, g, ts) for ts in g.transactions if ts.set_id == "824"]
            if g.functional_id == "TX" and "864" in profile.accepts:  # a refused one too: its words, marked
                taken = {ts.start for ts in accepted_sets(g, findings)}
                text_sets += [(ic, g, ts) for ts in g.transactions if ts.set_id == "864"]
                refused_texts.update(ts.start for ts in g.transactions if ts.start not in taken)
            if accept.keep_others:  # sets taken without processing (an 820, an 852 ...): other_sets = "keep"
                # (the default) alone. GS01 read once a group: as a property per set it cost 10,000 850s ~0.025 s
                gid = g.functional_id
                kept_sets += [(ic, g, ts) for ts in accepted_sets(g, findings) if accept.kept(gid, ts.set_id)]

    out.orders, out.lines, out.sacs = read_orders_with_sacs(result, order_sets, partner=profile.id,
                                                            source_sha256=sha256,
                                                            ship_to=profile.rules.default_ship_to)
    if grocery_sets:  # 875s: read as the 850s that say the same (parsers.orders_875), into the same tables
        findings += read_875_into(out, result, grocery_sets, profile, sha256)
    out.accepted_orders = out.orders["order_ref"].to_pylist()
    findings += echoes_too_long(out.orders, profile)  # values our answers in the profile's version cannot carry
    out.change_headers, out.changes, out.change_sacs = read_changes_with_sacs(result, change_sets_ok,
                                                                              partner=profile.id,
                                                                              source_sha256=sha256)
    out.change_sacs = loose_item_sacs(out.change_sacs)  # a POC loop without POC01: its item names its line
    if grocery_changes:  # 876s: read as the 860s that say the same (parsers.orders_876), into the same tables
        findings += read_876_into(out, result, grocery_changes, profile, sha256)
    if ack_sets:
        out.functional_acks, ack_findings = read_functional_acks(result, partner=profile.id, source_sha256=sha256,
                                                                 received_at=received_at, sets=ack_sets)
        findings += [f.with_file(file) for f in ack_findings]
    if advice_sets:
        out.advice = read_application_advice(result, advice_sets, partner=profile.id, source_sha256=sha256,
                                             received_at=received_at)
    if text_sets:
        out.text_messages = read_text_messages(result, text_sets, partner=profile.id, source_sha256=sha256,
                                               received_at=received_at, refused=refused_texts)
    out.kept = kept(result, kept_sets, file, profile.id)
    findings += [kept_finding(k, profile.id) for k in out.kept]
    if kept_sets:
        out.remittance, unread = read_remittance_checked(result, kept_sets, partner=profile.id, file=file,
                                                         sha256=sha256, received_at=received_at)
        findings += unread
        out.handoff = handed_off(result, kept_sets, profile.id)
    if ta1_interchanges:
        ta1_acks, ta1_findings = read_interchange_acks(result, ta1_interchanges, partner=profile.id,
                                                       source_sha256=sha256, received_at=received_at)
        if ta1_acks.num_rows:
            out.functional_acks = pa.concat_tables([out.functional_acks, ta1_acks])
        findings += [f.with_file(file) for f in ta1_findings]
    out.findings = findings
    out.set_pos = set_pos(result)
    out.disposition = "quarantine" if out.error_count or not result.interchanges else "processed"
    return out


_PO_OF_SET = {"850": "BEG", "860": "BCH", "875": "G50", "876": "G92"}  # the PO number is element 03 of these


def _joined(a: pa.Table, b: pa.Table, key: str) -> pa.Table:
    """``a``'s rows and ``b``'s in file order (by ``key``)."""
    if not a.num_rows:
        return b
    both = pa.concat_tables([a, b])
    return both.take(pc.sort_indices(both, [(key, "ascending")])) if key in both.column_names else both


def loose_item_sacs(sacs: pa.Table) -> pa.Table:
    """``sacs`` (CHANGE_SACS) with each SAC of a POC loop sent without POC01 (change_type set, line_id null: an 876's
    G68 loop, or an 860 naming its item by product ids alone) on no line: the loop's ordinal the reader gave it as its
    line number is no line of the order. It is given the line its POC named once the change is applied
    (engine.changes.named_lines, sacs_on_lines); until then it is neither a line's nor the heading's."""
    if not sacs.num_rows:
        return sacs
    on_item = pc.fill_null(pc.and_(pc.is_valid(sacs["change_type"]), pc.is_null(sacs["line_id"])), False)
    if not pc.any(pc.and_(on_item, pc.is_valid(sacs["line_number"]))).as_py():
        return sacs
    at = sacs.schema.get_field_index("line_number")
    return sacs.set_column(at, sacs.schema.field(at), pc.if_else(on_item, pa.scalar(None, pa.int32()),
                                                                 sacs["line_number"]))


def read_876_into(out, result: ParseResult, sets: list[tuple[Interchange, Group, TransactionSet]],
                  profile: PartnerProfile, sha256: str) -> list[Finding]:
    """The 876 sets' change headers, POC rows and SACs added to ``out``'s (an 860's columns, parsers.orders_876, each
    header's set_id "876"), in file order with the 860s'; returns the 876 reader's ORDER_876_NOT_CARRIED findings."""
    rewritten, as_860s, not_carried = as_860(result, sets, g72_sacs(profile.fulfilment.invoice.g72_codes))
    headers, changes, sacs = read_changes_with_sacs(rewritten, as_860s, partner=profile.id, source_sha256=sha256)
    at = headers.schema.get_field_index("set_id")
    headers = headers.set_column(at, headers.schema.field(at), pa.array(["876"] * headers.num_rows, pa.string()))
    sacs = loose_item_sacs(sacs)  # a G68 loop's SAC: no line until the change is applied
    out.change_headers = _joined(out.change_headers, headers, "st_file_segment")
    out.changes = _joined(out.changes, changes, "file_segment")
    out.change_sacs = _joined(out.change_sacs, sacs, "file_segment")
    return not_carried


def read_875_into(out, result: ParseResult, sets: list[tuple[Interchange, Group, TransactionSet]],
                  profile: PartnerProfile, sha256: str) -> list[Finding]:
    """The 875 sets' orders, lines and SACs added to ``out``'s (an 850's columns, parsers.orders_875), in file order
    with the 850s'; returns the 875 reader's ORDER_875_NOT_CARRIED findings."""
    rewritten, as_850s, not_carried = as_850(result, sets, g72_sacs(profile.fulfilment.invoice.g72_codes))
    orders, lines, sacs = read_orders_with_sacs(rewritten, as_850s, partner=profile.id, source_sha256=sha256,
                                                ship_to=profile.rules.default_ship_to)

    def joined(a: pa.Table, b: pa.Table, key: str) -> pa.Table:
        if not a.num_rows:
            return b
        both = pa.concat_tables([a, b])
        return both.take(pc.sort_indices(both, [(key, "ascending")])) if key in both.column_names else both

    out.orders = joined(out.orders, orders, "st_file_segment")
    out.lines = joined(out.lines, lines, "file_segment")
    out.sacs = joined(out.sacs, sacs, "file_segment")
    out.accepted_orders = out.orders["order_ref"].to_pylist()
    return not_carried


def set_pos(result: ParseResult) -> list[tuple[str, str, str, int, str]]:
    """(ISA13, GS06, ST02, ordinal of ST (first segment = 1, as a finding's file_segment and an order's
    st_file_segment count), BEG03 / BCH03 or "") of each 850 and 860 of the parse, in file order: each
    set's BEG / BCH (the first at or after its ST, up to its SE) found for all sets at once
    (np.searchsorted) and their element 03 taken together, not one segment's Python list per set
    (10,000 sets: 0.08 -> 0.01 s); each envelope's control number read once."""
    labels: list[tuple[str, str, str, int]] = []
    seg_of: list[str] = []
    ends: list[int] = []
    last_ic = last_g = None
    isa13 = gs06 = ""
    for ic, g, ts in result.transaction_sets():
        seg = _PO_OF_SET.get(ts.set_id)
        if seg is None:
            continue
        if ic is not last_ic:
            last_ic, isa13 = ic, ic.control_number
        if g is not last_g:
            last_g, gs06 = g, g.control_number
        labels.append((isa13, gs06, ts.control_number, ts.start))
        seg_of.append(seg)
        ends.append(ts.end)
    if not labels:
        return []
    segments = result.segments
    pos: list[str] = [""] * len(labels)
    starts = np.fromiter((s for *_k, s in labels), np.int64, len(labels))
    stops = np.array(ends, dtype=np.int64)
    kinds = np.array(seg_of)
    for seg in dict.fromkeys(seg_of):
        rows = segments.rows_of(seg)
        if not len(rows):
            continue
        mine = np.flatnonzero(kinds == seg)
        at = np.searchsorted(rows, starts[mine])
        found = at < len(rows)
        found[found] = rows[at[found]] <= stops[mine][found]
        if not found.any():
            continue
        lists = segments.elements.take(pa.array(rows[at[found]], pa.int64()))
        long_enough = pc.greater(pc.list_value_length(lists), 3).to_numpy(zero_copy_only=False)
        values = pc.list_element(lists.filter(pa.array(long_enough)), 3).to_pylist() if long_enough.any() else []
        for k, value in zip(mine[found][long_enough].tolist(), values, strict=True):
            pos[k] = value
    return [(isa13, gs06, st02, st + 1, po) for (isa13, gs06, st02, st), po in zip(labels, pos, strict=True)]


def process_csv_file(data: bytes | Iterable[bytes], *, file: str, sha256: str, profile: PartnerProfile) -> Outcome:
    """A CSV order file of a partner without EDI (parsers.csv_orders, the profile's column mapping):
    the same canonical ORDERS / ORDER_LINES as an 850, with lineage (file, row). A bad row is a
    finding at its row and column and its whole PO is left out; a partner answered with the CSV
    acknowledgment gets one here for the rows not taken (each IR with its row, column and reason, as a
    997 rejects an 850 set), the decide stage answers each order taken (the CSV acknowledgment or an
    855). ``data``: the file's
    bytes, or its byte chunks (a large file, read in batches of rows: the same outcome)."""
    from parsers.csv_orders import read_csv_orders

    mapping = profile.fulfilment.csv_orders
    if mapping is None:
        raise ValueError(f"partner {profile.id} has no CSV order mapping")
    read = read_csv_orders(data, mapping, partner=profile.id, file=file, source_sha256=sha256, limits=profile.limits,
                           id_limits=profile.csv_id_limits())
    out = Outcome(file=file, sha256=sha256, parse=None, findings=list(read.findings), orders=read.orders,
                  lines=read.lines, sacs=read.sacs,  # its allowance rows: the orders' SACs, stored as an 850's
                  encoding=read.encoding)
    out.row_pos = _row_pos(read)
    if (read.refused or read.more_refused) and "csv_ack" in profile.receives:  # as a 997 answers a set in error
        content = build_csv_refusals(read.refused, profile.fulfilment.csv_ack or CsvAckSettings(),
                                     more=read.more_refused)
        pos = ",".join(dict.fromkeys(r.po_number for r in read.refused if r.po_number))
        out.answers.append(PlannedDocument(profile.id, "CSV", "", (PlannedSet(f"CSV:{sha256}:refused", (), pos[:1000],
                                                                              sha256),), content=content))
    out.accepted_orders = read.orders["order_ref"].to_pylist()
    out.disposition = "quarantine" if out.error_count else "processed"
    return out


def _row_pos(read) -> dict[int, str]:
    """The PO number each row of a finding names (a row refused or a line taken), for the stored finding;
    rows naming none (or a file finding) are left out."""
    wanted = {f.location.row for f in read.findings if f.location.row is not None}
    if not wanted:
        return {}
    out = {r.row: r.po_number for r in read.refused if r.row in wanted and r.po_number}
    lines = read.lines
    if lines.num_rows:
        mine = lines.filter(pc.is_in(lines["file_segment"], pa.array(sorted(wanted), pa.int32())))
        for row, po in zip(mine["file_segment"].to_pylist(), mine["po_number"].to_pylist(), strict=True):
            out.setdefault(row, po)
    return out
