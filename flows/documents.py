"""Numbering, storing and delivering documents: control numbers are taken and the rendered
document stored in one state-store transaction; delivery writes pending documents to the outbox."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from connectors.base import FileDrop
from connectors.state import StateStore
from engine.envelope import envelope_for, wrap, wrap_ta1
from engine.process import Outcome, OutDoc
from schemas.profile import PartnerProfile


# --- numbering and storing documents --------------------------------------------------------------
def _store(state: StateStore, profile: PartnerProfile, doc: OutDoc, *, now: datetime, run_id: str,
           source_sha256: str) -> bool:
    """Number, render and store one document (inside the caller's transaction). False if it exists."""
    if state.document_exists(profile.id, doc.doc_key):
        return False
    env = envelope_for(profile)
    [isa13] = state.take_numbers(profile.id, "ISA", 1)
    if doc.doc_type == "TA1":
        content, gs06, st02 = wrap_ta1(env, list(doc.ta1), isa13=isa13, now=now), 0, ""
    else:
        [gs06] = state.take_numbers(profile.id, "GS", 1)
        st02s = state.take_numbers(profile.id, "ST", len(doc.bodies))
        set_id = {"FA": "997", "PR": "855", "CA": "865"}[doc.functional_id]
        content = wrap(env, doc.functional_id, set_id, [list(b) for b in doc.bodies], isa13=isa13, gs06=gs06,
                       st02s=st02s, now=now)
        st02 = ",".join(f"{n:04d}" for n in st02s)
    state.add_document(partner=profile.id, doc_type=doc.doc_type, doc_key=doc.doc_key,
                       file_name=f"{profile.id}-{doc.doc_type}-{isa13:09d}.x12", content=content,
                       at=now.isoformat(), isa13=f"{isa13:09d}", gs06=str(gs06 or ""), st02=st02,
                       source_sha256=source_sha256, po_number=",".join(doc.po_numbers), run_id=run_id)
    return True


def issue_documents(state: StateStore, profile: PartnerProfile, outcome: Outcome, *, now: datetime,
                    run_id: str) -> Counter:
    made: Counter = Counter()
    with state.transaction():
        for doc in outcome.documents:
            if _store(state, profile, doc, now=now, run_id=run_id, source_sha256=outcome.sha256):
                made[doc.doc_type] += 1
    return made


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
