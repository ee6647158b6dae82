"""How outbound transaction sets are packed into interchanges (the profile's delivery.batch): the
decide stage's answers (855s, 865s), a ship file's 856s and an invoice run's 810s - one per transaction
set, one per document type and run, or at most N sets each; every interchange is written with the
first of the partner's delimiter sets that none of its values uses (a set no candidate fits stands
alone, and is held by the store).

Pure: used characters or segment bodies in, groups out. No numbering here: the store numbers what
it stores (connectors.state), in the plan's order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from engine.envelope import Envelope, addressed, envelope_for, first_fit, order_address
from parsers.x12_writer import delimiter_chars, used_chars
from schemas.lifecycle import Plan, PlannedDocument
from schemas.profile import PartnerProfile
from schemas.x12 import Address, Delimiters

BATCHED = ("855", "865", "856", "810")  # 997s and TA1s answer one inbound file each
RENDERED_ALONE = ("856", "810")  # their planners render each set alone, text and delimiters: packed here


def group(used: Sequence[set[str]], env: Envelope, limit: int | None) -> list[tuple[list[int], Delimiters | None]]:
    """Members (by index, in order) packed into interchanges of at most ``limit`` members, each with
    the first delimiter set none of its members' values (``used``) holds. A member no set fits stands
    alone with None; a member that would leave a group without a common set starts the next group."""
    out: list[tuple[list[int], Delimiters | None]] = []
    members: list[int] = []
    common: set[str] = set()
    chosen: Delimiters | None = None
    fits: dict[frozenset[str], Delimiters | None] = {}  # members' values mostly hold the same few characters

    def fit(chars: set[str]) -> Delimiters | None:
        key = frozenset(chars)
        if key not in fits:
            fits[key] = first_fit(env, chars)
        return fits[key]

    for i, chars in enumerate(used):
        if members and chars <= common and (limit is None or len(members) < limit):
            members.append(i)  # nothing new to fit: the group's set fits it too (most members: no such value)
            continue
        alone = fit(chars)
        if alone is None:
            if members:
                out.append((members, chosen))
                members, common, chosen = [], set(), None
            out.append(([i], None))
            continue
        together = fit(common | chars) if members else alone
        if members and (together is None or (limit is not None and len(members) >= limit)):
            out.append((members, chosen))
            members, common, together = [], set(), alone
        members.append(i)
        common |= chars
        chosen = together
    if members:
        out.append((members, chosen))
    return out


def asked_buyers(plan: Plan, profiles: Mapping[str, PartnerProfile]) -> dict[str, tuple[str, ...]]:
    """partner -> its profile's (their_gs_id, our_gs_id), for the partners of the plan's 855/865/856/810s:
    the orders of these partners from another GS02 or to another GS03 are what ``batch_documents``'
    ``buyers`` names (connectors.state.StateStore.buyer_gs_ids). A partner sending from several interchange ids,
    or to several of ours ([x12] their_ids / our_ids), with its (their_qualifier, their_id, our_qualifier, our_id)
    after those: its orders from or to another ISA id are named too."""
    out: dict[str, tuple[str, ...]] = {}
    for doc in plan.documents:
        profile = profiles.get(doc.partner)
        if doc.doc_type in BATCHED and doc.partner not in out and profile is not None and profile.x12 is not None:
            out[doc.partner] = buyer_asked(profile)
    return out


def buyer_asked(profile: PartnerProfile) -> tuple[str, ...]:
    """What StateStore.buyer_gs_ids is asked for a partner with X12 (asked_buyers): its profile's (their_gs_id,
    our_gs_id), and (their_qualifier, their_id, our_qualifier, our_id) after those when it sends from several
    interchange ids or to several of ours."""
    x = profile.x12
    return (x.their_gs_id, x.our_gs_id, *((x.their_qualifier, x.their_id, x.our_qualifier, x.our_id)
                                          if x.their_ids or x.our_ids else ()))


def asked_pos(plan: Plan, asked: Mapping[str, tuple[str, ...]]) -> dict[str, set[str]]:
    """partner -> the POs whose buyer ``addressed_documents`` looks up for the plan's documents of the partners
    ``asked`` (asked_buyers): each set's first PO (the key ``buyers`` is read by)."""
    out: dict[str, set[str]] = {partner: set() for partner in asked}
    for doc in plan.documents:
        if doc.doc_type in BATCHED and doc.partner in out:
            out[doc.partner].update(s.po_number.split(",", 1)[0] for s in doc.sets)
    return out


def addressed_documents(plan: Plan, profiles: Mapping[str, PartnerProfile],
                        buyers: Mapping[tuple[str, str], tuple[str, ...]]) -> Plan:
    """The plan with each 855/865/856/810 addressed to the buyer of its order, from the id of ours it was
    sent to: ``buyers`` (partner, PO) -> (the GS02 the 850 came from, the GS03 it was sent to[, its ISA05, ISA06,
    ISA07, ISA08]), where any is not the profile's (a network such as SAP Ariba sends many buyers under one
    ISA06 and routes what we send by GS03; a company with one application id per division answers from the
    one written to; a partner sending from several interchange ids is answered at the one its order came from:
    engine.envelope.order_address). A document holding sets of
    orders from different buyers (an 855 interchange the decide planner packed) is cut into one per
    buyer, in the order each buyer first appears, at the place of the document: documents for two buyers
    never share a group. Without ``buyers`` (every order from the profile's GS id) the plan as it is."""
    if not buyers:
        return plan
    out: list[PlannedDocument] = []
    changed = False
    for doc in plan.documents:
        profile = profiles.get(doc.partner)
        # an 856 addressed only to the release of its partner's 856 guide (engine.envelope.asn_address) goes to its
        # buyer as any other, in that release
        release = doc.to.version if doc.to is not None and doc.to == Address(version=doc.to.version) else ""
        if doc.doc_type not in BATCHED or (doc.to is not None and not release) or profile is None:
            out.append(doc)
            continue
        by_to: dict[Address | None, list] = {}
        for s in doc.sets:
            gs = buyers.get((doc.partner, s.po_number.split(",", 1)[0]))
            to = order_address(profile, gs) if gs else None
            if release:
                to = replace(to, version=release) if to is not None else doc.to
            by_to.setdefault(to, []).append(s)
        if list(by_to) == [doc.to]:
            out.append(doc)
            continue
        changed = True
        out += [replace(doc, sets=tuple(sets), to=to) for to, sets in by_to.items()]
    return replace(plan, documents=tuple(out)) if changed else plan


def batch_documents(plan: Plan, profiles: Mapping[str, PartnerProfile],
                    buyers: Mapping[tuple[str, str], tuple[str, ...]] | None = None) -> Plan:
    """The plan with its segment-form 855s and 865s, and its 856s and 810s, packed per the partners'
    delivery.batch (sets keep their order; a packed interchange takes the place of its first member),
    each addressed to its order's buyer first (``addressed_documents``: documents for different buyers
    are packed apart).
    Documents rendered by the decide planner (855s with ``delimiters``) are packed already. An 856 or
    810 comes rendered with the first delimiter set its own values leave free: sets rendered with
    different delimiter sets never share an interchange (a group ``group`` forms is cut where they
    change), so no set is rendered twice."""
    plan = addressed_documents(plan, profiles, buyers or {})
    picked: dict[tuple[str, str, Address | None], list[int]] = {}
    for i, doc in enumerate(plan.documents):
        profile = profiles.get(doc.partner)
        if doc.doc_type in BATCHED and (doc.delimiters is None or doc.doc_type in RENDERED_ALONE) and profile \
                and profile.delivery.limit != 1:
            picked.setdefault((doc.partner, doc.doc_type, doc.to), []).append(i)
    if not picked:
        return plan
    replaced: dict[int, PlannedDocument | None] = {}
    for (partner, _, to), indexes in picked.items():
        env = addressed(envelope_for(profiles[partner]), to)
        docs = [plan.documents[i] for i in indexes]
        chars = delimiter_chars(env.candidates)
        used = [_used(d, chars) for d in docs]
        for members, _d in group(used, env, profiles[partner].delivery.limit):
            for run in _same_delimiters(members, docs):
                first = docs[run[0]]
                replaced[indexes[run[0]]] = replace(first, sets=tuple(s for m in run for s in docs[m].sets))
                for m in run[1:]:
                    replaced[indexes[m]] = None
    kept = tuple(replaced.get(i, doc) for i, doc in enumerate(plan.documents))
    return replace(plan, documents=tuple(d for d in kept if d is not None))


def _used(doc: PlannedDocument, chars: str) -> set[str]:
    """The delimiter characters (of ``chars``: the partner's candidate sets) the document's values hold.
    A rendered set's text holds its values, segment ids and its own delimiters (which no value holds):
    any other candidate character in it is a value's."""
    used = used_chars([seg for s in doc.sets for seg in s.body])
    if doc.delimiters is None:
        return used
    d = doc.delimiters
    own = {d.element, d.component, d.segment, d.repetition}
    texts = [s.text for s in doc.sets if s.text]
    text = texts[0] if len(texts) == 1 else "".join(texts)
    return used | {ch for ch in chars if ch not in own and ch in text}


def _same_delimiters(members: list[int], docs: Sequence[PlannedDocument]) -> list[list[int]]:
    """A group's members cut into runs of documents rendered with the same delimiter set (segment-form
    documents, rendered by the store with the group's set, are one run)."""
    runs: list[list[int]] = []
    for m in members:
        if runs and docs[runs[-1][-1]].delimiters == docs[m].delimiters:
            runs[-1].append(m)
        else:
            runs.append([m])
    return runs
