"""Numbering and delivering documents: the renderer the state store calls while it applies a plan
(control numbers taken and the rendered document stored in one transaction), and delivery, which
writes pending documents to the outbox."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from connectors.base import FileDrop
from connectors.state import Render, StateStore
from engine.envelope import envelope_for, wrap, wrap_ta1
from schemas.lifecycle import PlannedDocument
from schemas.profile import PartnerProfile

SET_IDS = {"FA": "997", "PR": "855", "CA": "865"}


# --- numbering and storing documents --------------------------------------------------------------
def renderer(profiles: Mapping[str, PartnerProfile], now: datetime) -> Render:
    """render(document, isa13, gs06, st02s) -> (file name, bytes) with each partner's envelope."""

    def render(doc: PlannedDocument, isa13: int, gs06: int, st02s: list[int]) -> tuple[str, bytes]:
        env = envelope_for(profiles[doc.partner])
        if doc.doc_type == "TA1":
            content = wrap_ta1(env, list(doc.ta1), isa13=isa13, now=now)
        else:
            content = wrap(env, doc.functional_id, SET_IDS[doc.functional_id],
                           [[list(seg) for seg in s.body] for s in doc.sets], isa13=isa13, gs06=gs06, st02s=st02s,
                           now=now)
        return f"{doc.partner}-{doc.doc_type}-{isa13:09d}.x12", content

    return render


# --- stage 3: deliver ------------------------------------------------------------------------------
def deliver_partner(profile: PartnerProfile, state: StateStore, drop: FileDrop, *, now: datetime) -> int:
    """Write every pending document to the partner's outbox; a failed write stays pending."""
    n = 0
    for doc in state.pending_documents(profile.id):
        existing = drop.stat("outbox", doc.file_name)
        if existing is None or existing.size != len(doc.content) or drop.read("outbox", doc.file_name) != doc.content:
            drop.write("outbox", doc.file_name, doc.content)
        state.mark_delivered(doc.id, now.isoformat())
        n += 1
    return n
