"""How the decide stage's answers are packed into interchanges (the profile's delivery.batch): one per
transaction set, one per document type and run, or at most N sets each; every interchange is written
with the first of the partner's delimiter sets that none of its values uses (a set no candidate fits
stands alone, and is held by the store).

Pure: used characters or segment bodies in, groups out. No numbering here: the store numbers what
it stores (connectors.state), in the plan's order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from engine.envelope import Envelope, envelope_for, first_fit
from parsers.x12_writer import used_chars
from schemas.lifecycle import Plan, PlannedDocument
from schemas.profile import PartnerProfile
from schemas.x12 import Delimiters

BATCHED = ("855", "865")  # the answers; 997s and TA1s answer one inbound file each


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


def batch_documents(plan: Plan, profiles: Mapping[str, PartnerProfile]) -> Plan:
    """The plan with its segment-form 855s and 865s packed per the partners' delivery.batch (sets
    keep their order; a packed interchange takes the place of its first member). Documents rendered
    by the planner (855s with ``delimiters``) are packed already."""
    picked: dict[tuple[str, str], list[int]] = {}
    for i, doc in enumerate(plan.documents):
        profile = profiles.get(doc.partner)
        if doc.doc_type in BATCHED and doc.delimiters is None and profile and profile.delivery.limit != 1:
            picked.setdefault((doc.partner, doc.doc_type), []).append(i)
    if not picked:
        return plan
    replaced: dict[int, PlannedDocument | None] = {}
    for (partner, _), indexes in picked.items():
        env = envelope_for(profiles[partner])
        docs = [plan.documents[i] for i in indexes]
        used = [used_chars([seg for s in d.sets for seg in s.body]) for d in docs]
        for members, _d in group(used, env, profiles[partner].delivery.limit):
            first = docs[members[0]]
            replaced[indexes[members[0]]] = replace(first, sets=tuple(s for m in members for s in docs[m].sets))
            for m in members[1:]:
                replaced[indexes[m]] = None
    kept = tuple(replaced.get(i, doc) for i, doc in enumerate(plan.documents))
    return replace(plan, documents=tuple(d for d in kept if d is not None))
