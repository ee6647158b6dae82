"""Numbering and delivering documents: the renderer the state store calls while it applies a plan
(control numbers taken and the rendered document stored in one transaction), the hold it asks
first, and delivery, which writes pending documents to the outbox. A document whose values use every
delimiter set the partner allows is held (stored unnumbered, with a finding) and released by a later
delivery once the profile offers a set that fits: values are never altered. A document held for a control
character in a value is released only when ops ask (`orderbridge release-held`: release_blanked), with a blank for
each run of them."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from connectors import durable
from connectors.base import FileDrop
from connectors.local import TMP_PREFIX, LocalDrop
from connectors.state import UNENVELOPED, Hold, Render, StateStore
from engine import lifecycle
from engine.envelope import Envelope, addressed, delimiters_for, envelope_allows, envelope_for, wrap, wrap_ta1
from engine.outbound_controls import blanked, controls, named, set_bodies
from flows import faults
from parsers.x12_writer import Segment, answer_encoding, collisions, transcode, unspelled
from rules.outbound import controls_held
from schemas.charsets import widest
from schemas.errors import StateError
from schemas.findings import Finding, finding
from schemas.fulfilment import CsvAckSettings
from schemas.lifecycle import FindingRecord, PlannedDocument
from schemas.profile import DeliverySettings, PartnerProfile
from schemas.transport import CSV_ACK, NamePattern
from schemas.x12 import Address, Delimiters

SET_IDS = {"FA": "997", "PR": "855", "RS": "870", "CA": "865", "SH": "856", "IN": "810", "GP": "880"}




# --- numbering and storing documents --------------------------------------------------------------
def renderer(profiles: Mapping[str, PartnerProfile], now: datetime) -> Render:
    """render(document, isa13, gs06, st02s) -> (file name, bytes) with each partner's envelope and the
    first of its delimiter sets that no value uses (`hold` keeps back the documents none fits)."""

    envelope = _envelopes(profiles)
    file_name_of = _names(profiles, now)
    # a partner whose orders another carries on ([continues]) writes under that one's envelope: its numbers too, and
    # its default file names are that one's (numbered in its sequence, beside its own documents in its outbox)
    continued = {pid: p.continued_by for pid, p in profiles.items() if getattr(p, "continued_by", None)}

    def seq(partner: str) -> str:
        return continued.get(partner, partner)

    def render(doc: PlannedDocument, isa13: int, gs06: int, st02s: list[int]) -> tuple[str, bytes]:
        if doc.content:  # a document that is not X12 (a CSV acknowledgment): stored as built
            name = file_name_of(doc, isa13, gs06) or f"{seq(doc.partner)}-{doc.doc_type.lower()}-ack-{isa13:09d}.csv"
            return name, doc.content
        env = addressed(envelope(doc.partner), doc.to)  # to the buyer it answers (a network's GS02)
        bodies = set_bodies(doc)
        if doc.doc_type == "TA1":
            content = wrap_ta1(env, bodies[0][0], isa13=isa13, now=now, delimiters=delimiters_for(env, bodies))
        elif doc.delimiters is not None:  # 855s, 856s, 810s rendered with the delimiters their planner chose
            content = wrap(env, doc.functional_id, SET_IDS[doc.functional_id],
                           [(s.text, s.segments) if s.text else b for s, b in zip(doc.sets, bodies, strict=True)],
                           isa13=isa13, gs06=gs06, st02s=st02s, now=now, delimiters=doc.delimiters)
        else:  # delimiters_for None: wrap raises DelimiterCollision (hold() keeps these back)
            content = wrap(env, doc.functional_id, SET_IDS[doc.functional_id], bodies, isa13=isa13, gs06=gs06,
                           st02s=st02s, now=now, delimiters=delimiters_for(env, bodies))
        return file_name_of(doc, isa13, gs06) or f"{seq(doc.partner)}-{doc.doc_type}-{isa13:09d}.x12", content

    render.sequence_of = seq  # type: ignore[attr-defined]
    return render


def _names(profiles: Mapping[str, PartnerProfile], now: datetime) -> Callable[[PlannedDocument, int, int], str | None]:
    """name(document, number, gs06): its file name by the partner's [delivery] pattern for its type
    (schemas.transport, checked when the profile was loaded), or None for the default name."""
    patterns: dict[tuple[str, str], NamePattern | None] = {}

    def name(doc: PlannedDocument, number: int, gs06: int) -> str | None:
        key = (doc.partner, doc.doc_type)
        if key not in patterns:
            profile = profiles.get(doc.partner)
            delivery = getattr(profile, "delivery", None)
            text = delivery.pattern(document_kind(doc.doc_type)) if delivery is not None else None
            patterns[key] = NamePattern.of(text) if text else None
        pattern = patterns[key]
        if pattern is None:
            return None
        pos = set(s.po_number for s in doc.sets if s.po_number)
        return pattern.name(partner=doc.partner, doc_type=doc.doc_type, number=number, gs06=gs06 or 0,
                            po=pos.pop() if len(pos) == 1 else "MULTI" if pos else "", now=now)

    return name


def document_kind(doc_type: str) -> str:
    """The [delivery] key of a stored document's type: its X12 type, or csv_ack for a CSV acknowledgment."""
    return CSV_ACK if doc_type in UNENVELOPED else doc_type


def _envelopes(profiles: Mapping[str, PartnerProfile]) -> Callable[[str], Envelope]:
    """envelope_for of each partner's profile, built once (a stage renders thousands of documents)."""
    made: dict[str, Envelope] = {}

    def envelope(partner: str) -> Envelope:
        env = made.get(partner)
        if env is None:
            env = made[partner] = envelope_for(profiles[partner])
        return env

    return envelope


def fits(profile: PartnerProfile, doc: PlannedDocument, env: Envelope | None = None) -> bool:
    """True when one of the profile's delimiter sets leaves every value of ``doc`` as it is (a
    document rendered by its planner names the set it chose); ``env``: envelope_for(profile) if known."""
    env = addressed(env or envelope_for(profile), doc.to)
    if doc.delimiters is not None:
        return doc.delimiters in env.candidates and envelope_allows(env, doc.delimiters) and \
            delimiters_for(env, set_bodies(doc)) is not None
    return delimiters_for(env, set_bodies(doc)) is not None


def holder(profiles: Mapping[str, PartnerProfile], *, stage: str, files: Mapping[str, str] | None = None) -> Hold:
    """hold(document) for StateStore.apply: an OUTBOUND_DELIMITERS_EXHAUSTED finding for a document no
    delimiter set fits (it is stored held, unnumbered), else None. ``files`` names the inbound file
    by its sha256 (the finding's location)."""

    envelope = _envelopes(profiles)
    rendered: dict[tuple[str, Address | None, Delimiters], bool] = {}  # fits() of a planner's text: its address, set

    def hold(doc: PlannedDocument) -> FindingRecord | None:
        profile = profiles[doc.partner]
        stray = controls(doc)
        if stray:  # the backstop: a value holding a tab, CR, LF, NUL ... is never sent
            pos, what = named(doc)
            source = next((s.source_sha256 for s in doc.sets if s.source_sha256), "")
            return FindingRecord(controls_held(what, stray, (files or {}).get(source, ""), ",".join(pos) or None),
                                 doc.partner, pos[0] if len(pos) == 1 else "", consequence="document held, not sent",
                                 stage=stage)
        if doc.content:  # a CSV acknowledgment: no delimiters to choose
            return None
        if doc.delimiters is not None and all(s.text and not s.body for s in doc.sets):
            ok = rendered.get((doc.partner, doc.to, doc.delimiters))
            if ok is None:
                ok = rendered[(doc.partner, doc.to, doc.delimiters)] = fits(profile, doc, envelope(doc.partner))
        else:
            ok = fits(profile, doc, envelope(doc.partner))
        if ok:
            return None
        pos = list(dict.fromkeys(s.po_number for s in doc.sets if s.po_number))
        source = next((s.source_sha256 for s in doc.sets if s.source_sha256), "")
        f = held_finding(addressed(envelope(doc.partner), doc.to), doc.doc_type, pos, set_bodies(doc),
                         (files or {}).get(source, ""))
        return FindingRecord(f, doc.partner, pos[0] if len(pos) == 1 else "", consequence="document held, not sent",
                             stage=stage)

    return hold


def held_finding(env: Envelope, doc_type: str, po_numbers: list[str], bodies: list[list[Segment]],
                 source_file: str = "") -> Finding:
    used = sorted(set().union(*(collisions([s for b in bodies for s in b], d) for d in env.candidates)))
    what = f"{doc_type} for PO {', '.join(po_numbers)}" if po_numbers else doc_type
    return finding("OUTBOUND_DELIMITERS_EXHAUSTED", f"The {what} is held, not sent: its values contain "
                   f"{' '.join(repr(c) for c in used)}, which leaves none of the profile's {len(env.candidates)} "
                   "delimiter set(s) free. Add a set to x12.fallback_delimiters; the next run sends it.",
                   file=source_file, value=",".join(po_numbers) or None)


def release_held(state: StateStore, profile: PartnerProfile, *, now: datetime) -> int:
    """Held documents that fit one of the profile's delimiter sets now are numbered, rendered and made
    pending, each in one transaction. Returns how many were released."""
    render = renderer({profile.id: profile}, now)
    return sum(state.release_document(h, render) for h in state.held_documents(profile.id)
               if not h.document.content and h.document.doc_type != "CSV" and fits(profile, h.document)
               and not controls(h.document))


def release_blanked(state: StateStore, profile: PartnerProfile, *, now: datetime, by: str, note: str = "",
                    run_id: str = "") -> list[tuple[PlannedDocument, list[str]]]:
    """The way out of OUTBOUND_CONTROL_CHARACTER (`orderbridge release-held PARTNER --by NAME`): each X12 document of
    the partner held for a control character is numbered and made pending with each run of them written as one
    blank (blanked), in one transaction each, and a CONTROL_CHARACTER_REPLACED warning recorded naming the values
    as held and who asked; the next delivery sends it. Returns (the document as held, its values named) for each
    one released. A held CSV acknowledgment is blanked cell by cell in the profile's [fulfilment.csv_ack] layout
    (blanked_csv) and sent the same way; one no longer in that layout, and a document no delimiter set fits once
    blanked, stay held."""
    render = renderer({profile.id: profile}, now)
    layout = profile.fulfilment.csv_ack or CsvAckSettings()
    out: list[tuple[PlannedDocument, list[str]]] = []
    records: list[FindingRecord] = []
    for h in state.held_documents(profile.id):
        said = controls(h.document)
        if not said:
            continue
        doc = blanked(h.document, layout)
        if controls(doc) or not (doc.content or fits(profile, doc)) or \
                not state.release_document(replace(h, document=doc), render):
            continue
        out.append((h.document, said))
        pos, what = named(doc)
        records.append(FindingRecord(finding(
            "CONTROL_CHARACTER_REPLACED", f"The {what}, held for a control character ({'; '.join(said)}), is "
            f"released by {by} with a blank for each run of them" + (f" ({note})" if note else "") + "; the next "
            "delivery sends it.", value=",".join(pos) or None), profile.id, pos[0] if len(pos) == 1 else "",
            consequence="document released", stage="release-held"))
    state.add_findings(records, run_id=run_id or f"release-held:{now.isoformat()}")
    return out


# --- stage 3: deliver ------------------------------------------------------------------------------
TMP_SUFFIX = ".part"  # a file for the VAN mailbox is first written as .tmp-<name>.part (hidden, a temporary)
DELIVERY_CHUNK = 256  # files written (and their folder synced) before they are marked delivered together


def deliver_partner(profile: PartnerProfile, state: StateStore, drop: FileDrop, *, now: datetime,
                    run_id: str = "", keep: Callable[[], None] | None = None, mailbox: bool = False,
                    copies: Path | None = None) -> int:
    """Write every pending document to the partner's outbox; a failed write stays pending. A file
    already there with the same bytes (a run killed before it marked it delivered) is only marked; an
    outbox file is never overwritten with different bytes: that document stays pending, with an
    OUTBOX_FILE_CONFLICT finding, and the partner's delivery fails (StateError) after the others. Held
    documents that the profile's delimiter sets now allow are released first.

    Documents go DELIVERY_CHUNK at a time (only that many files' bytes read from the store at once).
    A local drop writes a chunk's files to temporary names, makes their bytes durable together and
    renames them into place (`LocalDrop.write_many`); another drop writes each file (its `write`:
    temporary name, renamed) and marks it delivered at once: a partner takes files out of its outbox
    as they arrive, so one written before a dropped connection would otherwise be sent again by the
    retry. A local drop's folder is then synced and the chunk's documents are marked delivered in one
    transaction. A crash in between leaves them pending: the next run finds the same bytes in place
    (or writes them again), never new numbers. A failure part-way (the folder refusing a rename) marks
    the files already in place delivered before it is raised: the partner may take them meanwhile.

    ``mailbox``: ``drop`` is the VAN mailbox's (the profile delivered to says [delivery] via = "mailbox"): the
    documents are put there by deliver_to_mailbox, recorded before each rename; ``copies``: the folder where a copy
    of each file put is kept (flows.mailbox.sent_copies: the VAN empties its folder, `state rebuild` reads these).

    ``keep`` (a sharded worker's lease renewal, connectors.lease.Lease.renew) is called before each
    chunk is written: when it raises (LeaseLost: another worker took the partner over) nothing more is
    written, and the chunks before it stay delivered."""
    release_held(state, profile, now=now)
    if mailbox:
        n = deliver_to_mailbox(profile.id, state, drop, now=now, run_id=run_id, keep=keep,
                               configured=profile.x12.encoding if profile.x12 is not None else "utf-8",
                               copies=copies)
        return n + deliver_resends(state, profile, drop, now=now, mailbox=True, copies=copies)
    n = deliver_pending(profile.id, state, drop, now=now, run_id=run_id, keep=keep,
                        configured=profile.x12.encoding if profile.x12 is not None else "utf-8",
                        delivery=profile.delivery)
    return n + deliver_resends(state, profile, drop, now=now)  # a resend recorded and not written (a crash)


def outbox_folder(delivery: DeliverySettings | None, doc_type: str) -> str:
    """The drop folder a document of ``doc_type`` is written to: "outbox", or "outbox/<its [delivery] folder>"
    (a local drop's subfolder of outbox/; over SFTP, under remote_outbox or the absolute path given)."""
    folder = delivery.folder(document_kind(doc_type)) if delivery is not None else ""
    return f"outbox/{folder}" if folder else "outbox"


def deliver_pending(party: str, state: StateStore, drop: FileDrop, *, now: datetime, run_id: str = "",
                    keep: Callable[[], None] | None = None, configured: str = "utf-8",
                    delivery: DeliverySettings | None = None) -> int:
    """deliver_partner's writing of ``party``'s pending documents to ``drop``'s outbox (a partner's, or a
    warehouse's 997s answering its 945s: flows.shipments), ``configured``: the X12 encoding the party reads
    ("auto": the one its files show), ``delivery``: the folder of each document type and the way files are
    uploaded (the profile's [delivery]; None: the outbox, temporary names). Returns how many were delivered.

    With ``upload = "direct"`` a file in place that holds the start of the document's bytes (a write cut off)
    is written again whole; any other content there is never written over (OUTBOX_FILE_CONFLICT)."""
    local = isinstance(drop, LocalDrop)
    upload = delivery.upload if delivery is not None else "temp_name"
    staging = f"outbox/{delivery.staging_folder}" if delivery is not None and delivery.staging_folder else None
    if local:  # half-written files of a killed run (the run holds the workspace lease)
        for folder in dict.fromkeys(["outbox", *(f"outbox/{f}" for f in (delivery.folders.values() if delivery
                                                                          else ())), *([staging] if staging else [])]):
            drop.remove_temporaries(folder)
    n, refused, garbled = 0, [], []
    sync = getattr(drop, "sync", None)
    earlier = _EarlierCharsets(lambda: state.file_charsets(party))
    for chunk in state.pending_files(party, chunk=DELIVERY_CHUNK):
        if keep is not None:
            keep()
        where = {doc.id: outbox_folder(delivery, doc.doc_type) for doc in chunk}
        there: dict[tuple[str, str], int] = {}
        for folder in dict.fromkeys(where.values()):
            there.update(((folder, name), size) for name, size in _in_outbox(
                drop, folder, [doc.file_name for doc in chunk if where[doc.id] == folder]).items())
        wide = [doc.id for doc in chunk if doc.doc_type not in UNENVELOPED and not doc.content.isascii()]
        answered = state.answered_charsets(party, wide) if configured == "auto" and wide else {}
        done: list[int] = []
        todo: dict[tuple[str, str], tuple[int, bytes]] = {}  # (folder, file name) -> (document id, bytes) to write
        for doc in chunk:
            key = (where[doc.id], doc.file_name)
            size = there.get(key)
            # the bytes the partner reads: an X12 document in its profile's [x12] encoding (stored in UTF-8); "auto":
            # the one its files show (parsers.x12_writer.answer_encoding)
            content = _wire(doc, configured, answered, earlier, garbled)
            cut = False  # a direct upload cut off: the start of these bytes under the name, written again whole
            if key in todo:  # two documents under one name: the second is checked like a file in place
                same = todo[key][1] == content
            elif size is None:
                same = True
            elif size == len(content):
                same = drop.read(key[0], doc.file_name) == content
            else:
                same = cut = upload == "direct" and size < len(content) and \
                    drop.read(key[0], doc.file_name) == content[:size]
            if not same:
                refused.append(finding(
                    "OUTBOX_FILE_CONFLICT", f"{doc.file_name} is already in the outbox with other content; the "
                    f"{doc.doc_type} (ISA13 {doc.isa13}) was not written over it and stays pending. Was the state "
                    "store replaced? See docs/state-store.md, Recovery.", file=doc.file_name, isa13=doc.isa13))
            elif (size is None or cut) and key not in todo:
                todo[key] = (doc.id, content)
            else:
                done.append(doc.id)
        folders = list(dict.fromkeys([*(f for f, _name in todo), *where.values()]))
        if local and upload != "direct":
            for folder in dict.fromkeys(f for f, _name in todo):
                placed: list[int] = []
                try:
                    _write(drop, folder, {name: v for (f, name), v in todo.items() if f == folder}, upload, staging,
                           placed)
                except Exception:  # the files renamed into place before the failure (a rename refused) are the
                    if placed:  # partner's to take: delivered, never written again by the next run
                        _delivered(state, placed, sync, now, [folder])
                    raise
            done += [doc_id for doc_id, _content in todo.values()]
        else:  # each file marked as soon as it is in place: a partner may take it before a retry after a dropped
            # connection (or, written directly, a failed write of a later file) would send it again
            for (folder, name), (doc_id, content) in todo.items():
                _write(drop, folder, {name: (doc_id, content)}, upload, staging)
                _delivered(state, [doc_id], sync, now, [folder])
                n += 1
        if done:
            _delivered(state, sorted(done), sync, now, folders)
            n += len(done)
    if garbled:  # (the documents are sent: the words say what the partner reads)
        state.apply(lifecycle.plan_file_findings(garbled, partner=party, consequence="sent with '?'",
                                                 stage="deliver"), run_id=run_id)
    if refused:
        state.apply(lifecycle.plan_file_findings(refused, partner=party, consequence="document not sent",
                                                 stage="deliver"), run_id=run_id)
        raise StateError(f"{len(refused)} outbox file(s) already exist with other content; not overwritten",
                         partner=party, files=", ".join(f.location.file for f in refused[:5]))
    return n


def _wire(doc, configured: str, answered: Mapping[int, tuple[str, list[str]]], earlier: _EarlierCharsets,
          garbled: list[Finding]) -> bytes:
    """The bytes the partner reads: an X12 document in its profile's [x12] encoding (stored in UTF-8); "auto": the
    one its files show (parsers.x12_writer.answer_encoding). A character the encoding lacks is sent as '?', said in
    ``garbled`` (TEXT_NOT_IN_ENCODING), never quietly."""
    if doc.doc_type in UNENVELOPED or doc.content.isascii():
        return doc.content
    if configured != "auto":
        encoding = configured
    else:
        created, sources = answered.get(doc.id, ("", []))
        encoding = answer_encoding(configured, sources, earlier.before(created))
    if lost := unspelled(doc.content, encoding):
        garbled.append(finding(
            "TEXT_NOT_IN_ENCODING", f"{doc.file_name} ({doc.doc_type}) is written in {encoding}, which "
            f"has no code nor spelling for some characters of {', '.join(lost)}: each is sent as '?'.",
            file=doc.file_name, isa13=doc.isa13))
    return transcode(doc.content, encoding)


def deliver_to_mailbox(party: str, state: StateStore, drop: FileDrop, *, now: datetime, run_id: str = "",
                       keep: Callable[[], None] | None = None, configured: str = "utf-8",
                       copies: Path | None = None) -> int:
    """``party``'s pending documents put in the VAN mailbox's outbound folder (``drop``'s "outbox": mailbox/outbox/,
    or the VAN's SFTP remote_outbox), for a partner whose [delivery] via = "mailbox". The VAN takes a file from its
    folder as soon as it appears, so a file in place can never be checked for afterwards; each one is therefore
    put in three durable steps:

    1. written whole under a hidden temporary name (``.tmp-<name>.part``: neither the VAN nor we read it), its size
       checked;
    2. recorded in the store (StateStore.stage_put, committed) as about to be renamed;
    3. renamed to its name (atomic; posix-rename over SFTP), then marked delivered (StateStore.mark_put).

    A run killed before 2 wrote nothing visible: the next one writes the temporary again. Killed between 2 and 3,
    the next run finds the record: a temporary still there is renamed now; one gone was renamed (and perhaps taken
    by the VAN): the document is only marked. So nothing is sent twice, nothing is lost. A transient error (a
    connection lost) leaves the documents not yet marked pending for the stage's retry, which does the same. A file
    of the name already in the folder with the same bytes (not renamed by us: a rerun of a document the store lost
    the record of) is only marked; with other bytes (another partner's file of that name) the document stays
    pending with OUTBOX_FILE_CONFLICT and the partner's delivery fails after the others. ``copies``: a folder of
    ours where each file put is kept too, written (whole, fsynced) once it is in the VAN's folder and before it is
    marked (a rerun that only marks it writes the copy it lacks): the VAN's folder is emptied as the VAN takes its
    files, so these are what `state rebuild` reads back (flows.rebuild._sent_files). Returns how many were
    delivered."""
    n, refused, garbled = 0, [], []
    earlier = _EarlierCharsets(lambda: state.file_charsets(party))
    for chunk in state.pending_files(party, chunk=DELIVERY_CHUNK):
        if keep is not None:
            keep()
        staged = state.staged_puts([doc.id for doc in chunk])
        wide = [doc.id for doc in chunk if doc.doc_type not in UNENVELOPED and not doc.content.isascii()]
        answered = state.answered_charsets(party, wide) if configured == "auto" and wide else {}
        for doc in chunk:
            content = _wire(doc, configured, answered, earlier, garbled)
            name = staged.get(doc.id, doc.file_name)
            if put_in_mailbox(state, drop, doc.id, name, content, staged=doc.id in staged, at=now.isoformat(),
                              copies=copies):
                n += 1
            else:
                refused.append(finding(
                    "OUTBOX_FILE_CONFLICT", f"{name} is already in the VAN mailbox's outbound folder with other "
                    f"content; the {doc.doc_type} (ISA13 {doc.isa13}) was not written over it and stays pending. "
                    "Do two partners' [delivery] file_name patterns give one name? Each name in the VAN's folder "
                    "must be one partner's (the default names start with the partner's id).",
                    file=name, isa13=doc.isa13))
    if garbled:
        state.apply(lifecycle.plan_file_findings(garbled, partner=party, consequence="sent with '?'",
                                                 stage="deliver"), run_id=run_id)
    if refused:
        state.apply(lifecycle.plan_file_findings(refused, partner=party, consequence="document not sent",
                                                 stage="deliver"), run_id=run_id)
        raise StateError(f"{len(refused)} file(s) already in the VAN mailbox's outbound folder with other content; "
                         "not overwritten", partner=party, files=", ".join(f.location.file for f in refused[:5]))
    return n


def put_in_mailbox(state: StateStore, drop: FileDrop, doc_id: int, name: str, content: bytes, *, staged: bool,
                   at: str, resend: bool = False, copies: Path | None = None) -> bool:
    """One file put in the VAN mailbox's outbound folder as deliver_to_mailbox says, for the document ``doc_id``
    (``resend``: the resend ``doc_id``; ``staged``: recorded by an earlier run as about to be renamed), its copy kept
    in ``copies`` (keep_copy), and marked delivered (or resent) at ``at``. False, nothing written: another file
    holds ``name``."""
    sync = drop.sync if isinstance(drop, LocalDrop) else None
    tmp = f"{TMP_PREFIX}{name}{TMP_SUFFIX}"
    if staged:  # killed between the record and the mark: renamed unless its temporary is still there
        if drop.stat("outbox", tmp) is not None:
            if drop.read("outbox", tmp) != content:  # (not ours as recorded: written again, then renamed)
                drop.write("outbox", tmp, content)
            _rename(drop, tmp, name, sync)
        keep_copy(copies, name, content)
        state.mark_put(doc_id, at, resend=resend)
        return True
    there = drop.stat("outbox", name)
    if there is not None:  # not renamed by us (no record): the same bytes only marked, never written over
        if there.size != len(content) or drop.read("outbox", name) != content:
            return False
        keep_copy(copies, name, content)
        state.mark_put(doc_id, at, resend=resend)
        return True
    faults.writing(None, tmp, content)
    drop.write("outbox", tmp, content)  # whole, its size checked (never visible to the VAN under its name)
    if sync is not None:
        sync("outbox")
    state.stage_put(doc_id, name, resend=resend)  # durable: from here a missing temporary means it was renamed
    faults.reached("after-mailbox-stage")
    _rename(drop, tmp, name, sync)
    faults.reached("after-outbox-write")
    keep_copy(copies, name, content)
    state.mark_put(doc_id, at, resend=resend)
    return True


def keep_copy(copies: Path | None, name: str, content: bytes) -> None:
    """A copy of a file put in the VAN's outbound folder kept as ``copies``/``name`` (whole, fsynced:
    connectors.durable), unless the same bytes are there (a rerun's); None: none kept."""
    if copies is None:
        return
    path = copies / name
    if path.is_file() and path.read_bytes() == content:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    durable.write_bytes(path, content)


def _rename(drop: FileDrop, tmp: str, name: str, sync) -> None:
    drop.move("outbox", tmp, "outbox", name)
    if sync is not None:  # the rename durable before the document is marked
        sync("outbox")


def wire_bytes(state: StateStore, partner: str, doc: dict, content: bytes, configured: str) -> bytes:
    """``content`` (a document as stored: UTF-8) as delivery writes it for the partner: an X12 document beyond
    ASCII in its profile's [x12] encoding ("auto": the one its files show, as of the document's making)."""
    if doc["doc_type"] in UNENVELOPED or content.isascii():
        return content
    if configured != "auto":
        return transcode(content, configured)
    created, sources = state.answered_charsets(partner, [doc["id"]]).get(doc["id"], ("", []))
    earlier = _EarlierCharsets(lambda: state.file_charsets(partner))
    return transcode(content, answer_encoding(configured, sources, earlier.before(created)))


def in_outbox(drop: FileDrop, folder: str, name: str, content: bytes) -> str:
    """"absent", "same" (the partner has not taken it yet) or "other" (another file holds the name)."""
    size = _in_outbox(drop, folder, [name]).get(name)
    if size is None:
        return "absent"
    return "same" if size == len(content) and drop.read(folder, name) == content else "other"


def deliver_resends(state: StateStore, profile: PartnerProfile, drop: FileDrop, *, now: datetime,
                    only: int | None = None, mailbox: bool = False, copies: Path | None = None) -> int:
    """Write the partner's pending resends (``only``: that one) to its outbox as delivery writes a document
    (the profile's [delivery] upload), each marked delivered once in place; one whose name holds other bytes
    stays pending (StateError after the others). ``mailbox``: ``drop`` is the VAN mailbox's, each put as
    deliver_to_mailbox puts a document (put_in_mailbox: recorded before its rename). Returns how many were written
    or found in place."""
    if mailbox:
        n, conflicts = 0, []
        waiting = [r for r in state.resends_of(profile.id, pending=True) if only is None or r["id"] == only]
        staged = state.staged_puts([r["id"] for r in waiting], resend=True)
        for r in waiting:
            name = staged.get(r["id"], r["file_name"])
            if put_in_mailbox(state, drop, r["id"], name, state.resend_content(r["id"]), staged=r["id"] in staged,
                              at=now.isoformat(), resend=True, copies=copies):
                n += 1
            else:
                conflicts.append(name)
        if conflicts:
            raise StateError(f"{len(conflicts)} resend file(s) already in the VAN mailbox's outbound folder with other "
                             "content; not overwritten", partner=profile.id, files=", ".join(conflicts[:5]))
        return n
    delivery = profile.delivery
    upload = delivery.upload if delivery is not None else "temp_name"
    staging = f"outbox/{delivery.staging_folder}" if delivery is not None and delivery.staging_folder else None
    sync = getattr(drop, "sync", None)
    n, conflicts = 0, []
    for r in state.resends_of(profile.id, pending=True):
        if only is not None and r["id"] != only:
            continue
        content = state.resend_content(r["id"])
        there = in_outbox(drop, r["folder"], r["file_name"], content)
        if there == "other":
            conflicts.append(r["file_name"])
            continue
        if there == "absent":
            _write(drop, r["folder"], {r["file_name"]: (r["id"], content)}, upload, staging)
        if sync is not None and isinstance(drop, LocalDrop):
            sync(r["folder"])
        state.mark_resent(r["id"], now.isoformat())
        n += 1
    if conflicts:
        raise StateError(f"{len(conflicts)} resend file(s) already in the outbox with other content; not overwritten",
                         partner=profile.id, files=", ".join(conflicts[:5]))
    return n


class _EarlierCharsets:
    """The partner's files' kept character sets ((received_at, charset), in order: StateStore.file_charsets, read
    when first asked: a night of ASCII documents never reads them) asked as of a document's making: the widest of
    its latest files up to then, one beyond ASCII if any (a file without accents says nothing of them). Files
    received after a document never change what it is sent in (a delivery retried after newer files arrived
    writes the same bytes)."""

    def __init__(self, read: Callable[[], list[tuple[str, str]]]):
        self.read = read
        self.at: list[str] | None = None
        self.latest: list[str] = []  # per file: what the files up to it say

    def before(self, created_at: str) -> str:
        if self.at is None:
            files = self.read()
            self.at = [f[0] for f in files]
            for _at, charset in files:
                last = self.latest[-1] if self.latest else ""
                self.latest.append(charset if charset != "ascii" else widest([last, charset]))
        k = bisect.bisect_right(self.at, created_at) if created_at else len(self.at)
        return self.latest[k - 1] if k else ""


def _in_outbox(drop: FileDrop, folder: str, names: list[str]) -> dict[str, int]:
    """The size of each of ``names`` already in ``folder`` (the outbox or one of its [delivery] folders)."""
    if isinstance(drop, LocalDrop):
        return drop.sizes(folder, names)
    return {name: info.size for name in names if (info := drop.stat(folder, name)) is not None}


def _write(drop: FileDrop, folder: str, files: Mapping[str, tuple[int, bytes]], upload: str = "temp_name",
           staging: str | None = None, placed: list[int] | None = None) -> None:
    """``files`` (name -> (document id, bytes)) into ``folder``, in order, at the crash harness's points, uploaded as
    the profile's [delivery] upload says (a hidden temporary name, a staging folder, or the name itself). A local
    drop's batch adds to ``placed`` the id of each document as its file is renamed into place."""
    how = {} if upload == "temp_name" else {"upload": upload, "staging": staging}
    if isinstance(drop, LocalDrop):
        armed = faults.armed()
        into = drop.root / (staging if upload == "staging" and staging else folder)

        def before(name: str, data: bytes) -> None:  # what a kill mid-write leaves: where this upload writes
            faults.writing(into, name if upload == "direct" else TMP_PREFIX + name, data)

        def in_place(name: str) -> None:
            if placed is not None:
                placed.append(files[name][0])
            if armed:
                faults.reached("after-outbox-write")

        drop.write_many(folder, [(name, content) for name, (_id, content) in files.items()],
                        before=before if armed else None, placed=in_place, **how)
        return
    for name, (_id, content) in files.items():
        faults.writing(None, TMP_PREFIX + name, content)
        drop.write(folder, name, content, **how)
        faults.reached("after-outbox-write")


def _delivered(state: StateStore, ids: list[int], sync, now: datetime, folders: list[str]) -> None:
    if sync is not None:  # the renames into each folder made durable first
        for folder in folders:
            sync(folder)
    state.mark_delivered_many(ids, now.isoformat())
