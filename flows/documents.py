"""Numbering, storing and delivering documents: control numbers are taken and the rendered
document stored in one state-store transaction; delivery writes pending documents to the outbox.
A document whose values use every delimiter set the partner allows is held (no number taken, a
finding) and released by a later delivery once the profile offers a set that fits."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime

from connectors.base import FileDrop
from connectors.state import StateStore
from engine.envelope import Envelope, delimiters_for, envelope_for, wrap, wrap_ta1
from engine.process import Outcome, OutDoc
from parsers.x12_writer import Segment, collisions
from schemas.findings import Finding, finding
from schemas.profile import PartnerProfile
from schemas.x12 import Delimiters

SET_FOR = {"FA": "997", "PR": "855", "CA": "865"}


# --- numbering and storing documents --------------------------------------------------------------
def _render(state: StateStore, profile: PartnerProfile, env: Envelope, d: Delimiters, doc_type: str,
            functional_id: str, bodies: list[list[Segment]], *, now: datetime) -> dict:
    """Take the control numbers and render: the document's row fields (inside the caller's transaction)."""
    [isa13] = state.take_numbers(profile.id, "ISA", 1)
    if doc_type == "TA1":
        content, gs06, st02 = wrap_ta1(env, list(bodies[0][0]), isa13=isa13, now=now, delimiters=d), 0, ""
    else:
        [gs06] = state.take_numbers(profile.id, "GS", 1)
        st02s = state.take_numbers(profile.id, "ST", len(bodies))
        content = wrap(env, functional_id, SET_FOR[functional_id], bodies, isa13=isa13, gs06=gs06, st02s=st02s,
                       now=now, delimiters=d)
        st02 = ",".join(f"{n:04d}" for n in st02s)
    return dict(file_name=f"{profile.id}-{doc_type}-{isa13:09d}.x12", content=content, isa13=f"{isa13:09d}",
                gs06=str(gs06 or ""), st02=st02)


def _bodies(doc: OutDoc) -> list[list[Segment]]:
    return [[list(doc.ta1)]] if doc.doc_type == "TA1" else [list(b) for b in doc.bodies]


def _store(state: StateStore, profile: PartnerProfile, doc: OutDoc, *, now: datetime, run_id: str,
           source_sha256: str, held: list[Finding] | None = None, source_file: str = "") -> bool:
    """Number, render and store one document (inside the caller's transaction). False if it exists,
    or if it was held because its values use every allowed delimiter set (a finding goes to ``held``)."""
    if state.document_exists(profile.id, doc.doc_key):
        return False
    env = envelope_for(profile)
    bodies = _bodies(doc)
    d = delimiters_for(env, bodies)
    if d is None:
        state.add_document(partner=profile.id, doc_type=doc.doc_type, doc_key=doc.doc_key, file_name="",
                           content=_held_content(doc), at=now.isoformat(), source_sha256=source_sha256,
                           po_number=",".join(doc.po_numbers), run_id=run_id, status="held")
        if held is not None:
            held.append(held_finding(env, doc, bodies, source_file))
        return False
    state.add_document(partner=profile.id, doc_type=doc.doc_type, doc_key=doc.doc_key,
                       **_render(state, profile, env, d, doc.doc_type, doc.functional_id, bodies, now=now),
                       at=now.isoformat(), source_sha256=source_sha256, po_number=",".join(doc.po_numbers),
                       run_id=run_id)
    return True


def _held_content(doc: OutDoc) -> bytes:
    """What a held document needs to be rendered later (it has no control numbers yet)."""
    return json.dumps({"functional_id": doc.functional_id, "bodies": _bodies(doc)}, default=str).encode()


def held_finding(env: Envelope, doc: OutDoc, bodies: list[list[Segment]], source_file: str = "") -> Finding:
    used = sorted(set().union(*(collisions([s for b in bodies for s in b], d) for d in env.candidates)))
    what = f"{doc.doc_type} for PO {', '.join(doc.po_numbers)}" if doc.po_numbers else doc.doc_type
    return finding("OUTBOUND_DELIMITERS_EXHAUSTED", f"The {what} is held, not sent: its values contain "
                   f"{' '.join(repr(c) for c in used)}, which leaves none of the profile's {len(env.candidates)} "
                   "delimiter set(s) free. Add a set to x12.fallback_delimiters; the next run sends it.",
                   file=source_file, value=",".join(doc.po_numbers) or None)


def release_held(state: StateStore, profile: PartnerProfile, *, now: datetime) -> int:
    """Held documents that fit one of the profile's delimiter sets now are numbered, rendered and made
    pending, each in one transaction. Returns how many were released."""
    env = envelope_for(profile)
    released = 0
    for doc in state.held_documents(profile.id):
        saved = json.loads(doc.content)
        d = delimiters_for(env, saved["bodies"])
        if d is None:
            continue
        with state.transaction():
            state.release_document(doc.id, **_render(state, profile, env, d, doc.doc_type, saved["functional_id"],
                                                     saved["bodies"], now=now))
        released += 1
    return released


def issue_documents(state: StateStore, profile: PartnerProfile, outcome: Outcome, *, now: datetime,
                    run_id: str, held: list[Finding] | None = None) -> Counter:
    made: Counter = Counter()
    with state.transaction():
        for doc in outcome.documents:
            if _store(state, profile, doc, now=now, run_id=run_id, source_sha256=outcome.sha256, held=held,
                      source_file=outcome.file):
                made[doc.doc_type] += 1
    return made


# --- stage 3: deliver ------------------------------------------------------------------------------
def deliver_partner(profile: PartnerProfile, state: StateStore, drop: FileDrop, *, now: datetime) -> int:
    """Write every pending document to the partner's outbox; a failed write stays pending. Held
    documents that the profile's delimiter sets now allow are released first."""
    release_held(state, profile, now=now)
    n = 0
    for doc in state.pending_documents(profile.id):
        existing = drop.stat("outbox", doc.file_name)
        if existing is None or existing.size != len(doc.content) or drop.read("outbox", doc.file_name) != doc.content:
            drop.write("outbox", doc.file_name, doc.content)
        state.mark_delivered(doc.id, now.isoformat())
        n += 1
    return n
