"""`orderbridge resend`: a document we sent put in the partner's outbox again when the partner says it never arrived:
its kept copy byte for byte (the same file name, ISA13, GS06 and ST02s), or with ``renumber`` the same transaction
sets re-enveloped under a new ISA13 and GS06 taken from the partner's counters and dated by the command's clock
(engine.resend), for a translator that drops a repeated ISA13 as a duplicate. A document of a partner whose orders
another carries on ([continues]) sent to the partner's own ids before the date goes again under the continuing
partner's envelope (readdressing: its sets under B's ids, delimiters and numbers), never to the ids it left.
Each resend is recorded in the store's
`resends` table (who, when, why, the file and its numbers) in one transaction before a byte is written, then written
as the night's delivery writes (a temporary name renamed into place; a local folder synced) and marked delivered: a
crash in between leaves it pending, and the next run's delivery (or the same command again) writes the same bytes
under the same numbers, never new ones. A resend is delivered once; the night never sends it again.

Refused (nothing done): a document never delivered (pending or held), one the partner rejected (send a
corrected one), a partner whose profile does not load or whose delivery is not set up, a name in the outbox
holding other bytes. No prefect here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from connectors.base import FileDrop
from connectors.state import HELD, UNENVELOPED, StateStore
from engine.envelope import Envelope, addressed, envelope_for, order_address
from engine.lifecycle.batches import buyer_asked
from engine.resend import NotAnInterchange, NotReaddressable, readdressed, receiver, rejection, renamed, renumbered
from flows.documents import deliver_resends, document_kind, in_outbox, outbox_folder, wire_bytes
from flows.workspace import Workspace, delivering
from schemas.errors import RequestRefused
from schemas.profile import PartnerProfile

RESEND_STAGE = "resend"


class Refused(RequestRefused):
    """The document cannot be sent again (``message`` says why and what to do instead); nothing was done."""


@dataclass(frozen=True, slots=True)
class Chosen:
    """What a resend would put in the outbox: the document as stored (document_heads' keys), the folder, the file
    name and bytes, and its numbers (new ones are taken only when it is recorded: None until then)."""

    document: dict
    folder: str
    renumber: bool
    file_name: str  # the kept copy's name (a renumbered resend's is named when its numbers are taken)
    content: bytes  # the kept copy's bytes as the partner read them (its [x12] encoding)


def profile_of(ws: Workspace, partner: str) -> PartnerProfile:
    """The partner's loaded profile, or Refused naming what is wrong with it."""
    why = ws.partner_refusal(partner)
    if why:
        raise Refused(why)
    return ws.runnable_partners()[partner]


def delivery_ready(ws: Workspace, profile: PartnerProfile, doc_type: str, to: PartnerProfile | None = None) -> None:
    """Refused when the partner's delivery is not set up for ``doc_type``: it no longer receives that kind
    (its [receives]), or its local drop folder is not there (a partner moved to another drop; ``to``: the profile
    whose drop it is delivered to, flows.workspace.delivering)."""
    to = to or profile
    kind = document_kind(doc_type)
    if doc_type not in ("997", "TA1") and kind not in profile.receives:
        raise Refused(f"partner {profile.id}'s profile does not list {kind} in receives "
                      f"({', '.join(profile.receives)}): its delivery of {doc_type}s is not configured")
    if to.drop.kind == "local" and to.delivery.via == "drop" and not (ws.drop_root / to.id).is_dir():
        raise Refused(f"partner {to.id}'s drop {ws.drop_root / to.id} does not exist: its delivery is not "
                      "configured (set [drop] in its profile, or make the folder)")


def stored_type(name: str) -> str:
    """A document type as people type it (``855``, ``csv``, ``csv_ack`` as a profile's receives names it, ``CSV-ACK``)
    as the store keeps it: ``CSV`` for a CSV acknowledgment, else the X12 type in capitals."""
    kind = name.strip().upper().replace("-", "_")
    return "CSV" if kind in ("CSV_ACK", "CSVACK") else kind


def choose(state: StateStore, partner: str, *, isa13: str = "", document: str = "", po: str = "", doc_type: str = "",
           file_name: str = "") -> dict:
    """The one document of ``partner`` named by exactly one of: its ISA13; TYPE:NUMBER (an 810's invoice number,
    an 856's shipment id, or any type's ISA13); a PO and type; its file name. Refused when none or several
    fit (naming them: pick one by --isa)."""
    doc_type = stored_type(doc_type)
    named = [x for x in (isa13, document, po, file_name) if x]
    if len(named) != 1:
        raise Refused("name the document one way: --isa N, --document TYPE:NUMBER, --po PO --type TYPE, or --file NAME")
    if po and not doc_type:
        raise Refused("--po needs --type (855, 865, 856, 810, 997 or CSV): which of the PO's documents")
    found: list[dict]
    if isa13:
        found = state.document_heads(partner, isa13=isa13.strip())
    elif file_name:
        found = state.document_heads(partner, file_name=file_name.strip())
    elif document:
        kind, _, number = document.partition(":")
        kind, number = stored_type(kind), number.strip()
        if not kind or not number:
            raise Refused("--document is TYPE:NUMBER: 810:INVOICE_NUMBER, 856:SHIPMENT_ID, or TYPE:ISA13")
        keys = state.numbered_doc_keys(partner, kind, number)  # an 810's invoice number, an 856's shipment id
        found = state.document_heads(partner, doc_keys=keys) if keys else []
        if not found and number.isdigit():
            found = state.document_heads(partner, isa13=number)
        found = [d for d in found if d["doc_type"] == kind]
    else:
        ids = [d["id"] for d in state.documents_for_order(partner, po.strip())
               if d["doc_type"] == doc_type]
        found = state.document_heads(partner, ids=ids)
    what = isa13 and f"document ISA13 {isa13}" or file_name and f"file {file_name}" or document and \
        f"document {document}" or f"{doc_type} of PO {po}"
    if not found:
        raise Refused(f"partner {partner} has no {what} that we made: nothing to send again")
    if len(found) > 1:
        listed = "; ".join(f"{d['doc_type']} ISA13 {d['isa13'] or '-'} {d['file_name']} ({d['status']})" for d in found)
        raise Refused(f"{what} names {len(found)} documents of partner {partner}: name one by --isa or --file "
                      f"({listed})")
    return found[0]


def refusal(state: StateStore, partner: str, doc: dict, *, renumber: bool) -> str | None:
    """Why ``doc`` must not be sent again, or None: it was never delivered (pending, held), the partner
    rejected it (a 997/999, 824 or TA1 said so: a corrected document goes instead), or new control numbers
    were asked for a document that has none (a CSV acknowledgment)."""
    name = f"{doc['doc_type']} {doc['file_name']}"
    if doc["status"] == HELD:
        return (f"the {doc['doc_type']} is held, never sent (unnumbered; see `orderbridge status` for why): "
                "`orderbridge release-held` or a profile fix sends it, once")
    if doc["status"] != "delivered":
        return f"the {name} was never sent: it is {doc['status']}, and the next run delivers it"
    if renumber and doc["doc_type"] in UNENVELOPED:
        return f"the {name} is a CSV acknowledgment: it has no control numbers to renew; resend it as it is"
    keys = {(doc["isa13"], doc["gs06"], st02) for st02 in doc["st02s"]} or {(doc["isa13"], doc["gs06"], "")}
    keys |= {(r["isa13"], r["gs06"], st02) for r in state.resends_of(partner, document_ids=[doc["id"]])
             if r["renumbered"] for st02 in doc["st02s"]}
    return rejection(name, doc["doc_type"], state.document_status_for(partner, keys).values())


def plan(state: StateStore, profile: PartnerProfile, doc: dict, *, renumber: bool) -> Chosen:
    """What resending ``doc`` puts where (nothing written)."""
    folder = outbox_folder(profile.delivery, doc["doc_type"])
    kept = state.document_content(doc["id"]) or b""
    configured = profile.x12.encoding if profile.x12 is not None else "utf-8"
    if readdressing(profile, doc, kept):  # [continues]: sent to A's ids before B carried A's orders on
        to, by = receiver(kept), profile.continued_by
        x12 = profile.x12
        said = (f"the {doc['doc_type']} {doc['file_name']} was sent to {profile.id}'s ids {to[0]}/{to[1]} before "
                f"{by} carried on {profile.id}'s orders; the partner's translator now takes {by}'s ids "
                f"({x12.their_qualifier}/{x12.their_id})")
        if not renumber:
            raise Refused(f"{said}: resend it with --new-control-numbers, which puts its sets under {by}'s envelope "
                          f"with {by}'s next control numbers (the same bytes would go to ids it no longer reads)")
        try:
            readdressed(kept, readdressed_envelope(state, profile, doc), isa13=1, gs06=1, at=datetime(2000, 1, 1))
        except (NotAnInterchange, NotReaddressable) as exc:
            raise Refused(f"{said}, and this copy cannot go under {by}'s envelope: {exc}. Nothing was sent: agree "
                          f"with the partner how it gets this {doc['doc_type']} (its translator taking it under "
                          f"{profile.id}'s ids, or another way); later documents of the order go under {by}'s "
                          "envelope as the nights send them") from None
    elif renumber:
        try:
            renumbered(kept, isa13=1, gs06=1)  # the kept copy can take new numbers
        except NotAnInterchange as exc:
            raise Refused(f"the {doc['doc_type']} {doc['file_name']} cannot take new control numbers: {exc}") from None
    return Chosen(doc, folder, renumber, doc["file_name"], wire_bytes(state, profile.id, doc, kept, configured))


def readdressing(profile: PartnerProfile, doc: dict, kept: bytes) -> bool:
    """Is ``doc`` (kept as ``kept``) a document of a profile whose orders another (B) carries on ([continues]) that
    was sent to the profile's own ids before B took over (an 855/865/856/810 addressed to other ids than B's: from
    the date every one goes under B's envelope)? From the date the partner's translator knows B's ids alone: such a
    document goes again under B's envelope (readdressed), never to the ids it left. A 997 or TA1 answers the
    interchange it names, from whichever ids: it stays as it was sent."""
    x12 = profile.x12
    if profile.continued_by is None or x12 is None or doc["doc_type"] in ("997", "999", "TA1", *UNENVELOPED):
        return False
    to = receiver(kept)
    return to is not None and to != (x12.their_qualifier, x12.their_id)


def readdressed_envelope(state: StateStore, profile: PartnerProfile, doc: dict) -> Envelope:
    """The envelope a readdressed copy of ``doc`` goes under (``profile``: the profile as B carries it on,
    PartnerProfile.continued): B's, addressed as the night addresses the answers of the document's order under B
    (engine.envelope.order_address of the GS02/GS03 and interchange ids its 850 came with: a buyer of a network
    that B lists too is answered at its own GS id, not B's default; an id of the profile's own that B replaced is
    answered at B's), its first PO's order as engine.lifecycle.batches.addressed_documents reads it."""
    env = envelope_for(profile)
    pos = [p.split(",", 1)[0] for p in doc.get("po_numbers") or () if p]
    if not pos or profile.x12 is None:
        return env
    ids = state.buyer_gs_ids({profile.id: buyer_asked(profile)}, {profile.id: {pos[0]}}).get((profile.id, pos[0]))
    return addressed(env, order_address(profile, ids)) if ids else env


def sequence_of(profile: PartnerProfile, kept: bytes) -> str:
    """Whose control-number counters a renumbered copy of ``kept`` takes: the envelope's it goes under. A profile
    whose orders another (B) carries on ([continues], PartnerProfile.continued: its [x12] is B's) sends under B's
    envelope in B's sequence, as the night numbers it (flows.documents.renderer): a copy addressed to B's ids takes
    B's numbers, so B's ids never see one ISA13 twice. One still addressed to the profile's own ids (sent before the
    date) takes its own, the numbers those ids have seen."""
    x12 = profile.x12
    if profile.continued_by is None or x12 is None:
        return profile.id
    return profile.continued_by if receiver(kept) == (x12.their_qualifier, x12.their_id) else profile.id


def readdressed_name(profile: PartnerProfile, file_name: str, old_isa13: str, isa13: int) -> str:
    """A readdressed copy's file name: its new ISA13 in place of the old one (renamed), the continued partner's id
    that leads a default name (``<A>-855-<ISA13>.x12``) the continuing partner's, as the night names A's documents
    from the date."""
    name = renamed(file_name, old_isa13, isa13)
    lead = f"{profile.id}-"
    return f"{profile.continued_by}-{name[len(lead):]}" if profile.continued_by and name.startswith(lead) else name


def record(state: StateStore, profile: PartnerProfile, chosen: Chosen, *, by: str, note: str, at: str,
           run_id: str, clock: datetime) -> dict:
    """The resend recorded pending (new numbers taken in the same transaction for a renumbered one, from the
    counters of the envelope it goes under (sequence_of), its new envelope dated ``clock``:
    engine.resend.renumbered)."""
    doc = chosen.document
    configured = profile.x12.encoding if profile.x12 is not None else "utf-8"
    kept = state.document_content(doc["id"]) or b""
    moved = readdressing(profile, doc, kept)  # [continues]: A's document sent before the date goes under B's envelope
    to = readdressed_envelope(state, profile, doc) if moved else None
    seq = profile.continued_by if moved else sequence_of(profile, kept)  # the counters past the other's too: the
    # partner's sets numbered in either sequence keep one (partner, ISA13, GS06, ST02) each (numbers_past)

    def renumber(isa13: int, gs06: int) -> tuple[str, bytes]:
        if moved:
            return (readdressed_name(profile, doc["file_name"], doc["isa13"], isa13),
                    wire_bytes(state, profile.id, doc, readdressed(kept, to, isa13=isa13, gs06=gs06, at=clock),
                               configured))
        return (renamed(doc["file_name"], doc["isa13"], isa13),
                wire_bytes(state, profile.id, doc, renumbered(kept, isa13=isa13, gs06=gs06, at=clock),
                           configured))

    return state.record_resend(profile.id, doc["id"], doc_type=doc["doc_type"], folder=chosen.folder, by=by,
                               note=note, at=at, run_id=run_id, file_name=chosen.file_name, content=chosen.content,
                               renumber=renumber if chosen.renumber else None,
                               sequence=seq, past=(profile.continued_by if seq == profile.id else profile.id)
                               if profile.continued_by else None)


def resend(ws: Workspace, state: StateStore, open_drop: Callable[[PartnerProfile], FileDrop], partner: str, *,
           by: str, note: str, at: str, renumber: bool = False, dry_run: bool = False, isa13: str = "",
           document: str = "", po: str = "", doc_type: str = "", file_name: str = "",
           clock: str = "") -> tuple[dict, Chosen]:
    """Send one document of ``partner`` again as ``by`` asked at ``at`` (wall clock) for ``note``, ``clock`` (ISO, the
    command's --now; default ``at``) dating a re-enveloped copy's ISA and GS and its delivery: refused (nothing
    done) as refusal() says, when the partner's delivery is not set up, or when its name in the outbox holds other
    bytes; a resend of it still pending (a crash before its write) is finished instead of a new one made. With
    ``dry_run`` nothing is recorded or written. Returns (its resends row with ``in_outbox``: the file was still in
    the outbox, untaken, so nothing was written; or {} for a dry run; what goes)."""
    if not by.strip() or not note.strip():
        raise Refused("say who asks (--by) and why (--note): both are kept with the resend")
    now = datetime.fromisoformat(clock or at)
    ws = ws if ws.day is not None else ws.on(now)  # the profiles in effect on the resend's clock ([continues])
    profile = profile_of(ws, partner)
    to = delivering(ws, profile)  # [continues]: a continued profile's documents go to its continuer's drop
    doc = choose(state, partner, isa13=isa13, document=document, po=po, doc_type=doc_type, file_name=file_name)
    why = refusal(state, partner, doc, renumber=renumber)
    if why:
        raise Refused(why)
    delivery_ready(ws, profile, doc["doc_type"], to)
    chosen = plan(state, profile, doc, renumber=renumber)
    waiting = [r for r in state.resends_of(partner, document_ids=[doc["id"]]) if r["status"] == "pending"]
    if dry_run:
        return (waiting[0] if waiting else {}), chosen
    drop = open_drop(to)
    try:
        if waiting:  # a resend recorded and not written (a crash): the same bytes, the same numbers
            row = waiting[0]
            there = in_outbox(drop, row["folder"], row["file_name"], state.resend_content(row["id"]))
        else:
            there = in_outbox(drop, chosen.folder, chosen.file_name, chosen.content) if not renumber else "absent"
            if there == "other":
                raise Refused(f"{chosen.folder}/{chosen.file_name} holds other bytes than the {doc['doc_type']} we "
                              "sent; nothing is written over it (see docs/state-store.md, Recovery)")
            row = record(state, profile, chosen, by=by.strip(), note=note.strip(), at=at, run_id=f"resend:{at}",
                         clock=now)
        from flows.mailbox import sent_copies

        mailbox = to.delivery.via == "mailbox"
        deliver_resends(state, profile, drop, now=now, only=row["id"], mailbox=mailbox,
                        copies=sent_copies(ws, to.id) if mailbox else None)
    finally:
        drop.close()
    # "same": the file was still in the outbox (the partner has not taken it): nothing written, marked sent
    return {**state.resends_of(partner, ids=[row["id"]])[0], "in_outbox": there == "same"}, chosen
