"""Stage 1, per partner: archive (verified), check, answer 997/TA1, record orders and 860s (and the
partner's 997/999s for our documents), move the input.

What a file does to orders (BEG01 cancel/replace/confirm, duplicates, 860s recorded) is planned by
engine.lifecycle.plan_intake; this stage loads, calls it, and applies the plan in one transaction."""

from __future__ import annotations

import functools
import hashlib
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from connectors.base import FileDrop, FileInfo, archive_name, is_safe_name
from connectors.kept import KeptCopies
from connectors.local import LocalDrop
from connectors.order_store import OrderStore
from connectors.state import FileResume, StateStore
from engine import budgets, finance_inputs, lifecycle
from engine.application_advice import advice_acks
from engine.envelope import envelope_for
from engine.partner_acks import (
    control_key,
    file_findings,
    name_interchanges,
    names_interchanges,
    with_answered_recorded,
    with_our_997s,
)
from engine.process import (
    EarlierUse,
    Known,
    again_with_acks,
    duplicated_earlier,
    early_files_due,
    envelope_keys,
    owners_named,
    process_csv_file,
    process_file,
    span_earlier,
    with_acks,
    with_more_acks,
)
from engine.process_batches import process_in_batches
from flows import faults, handoff, progress, retake, taking, text_messages
from flows.documents import holder, renderer
from flows.gc_pause import fewer_collections
from flows.meanwhile import meanwhile
from flows.releases import blankets_cancelled, cancelling_rows, key_releases
from flows.taking import dispose as _dispose
from flows.taking import left_on_server as _left_on_server
from flows.timing import Lap, timed
from flows.workspace import Workspace
from parsers import x12_batches, x12_stream
from parsers.x12_reader import ParseResult, charset, read_interchanges
from schemas.codes_finance import PARTNER_VERDICTS
from schemas.errors import ConfigError, FileNotReady, StateError, TerminalError, TransientError
from schemas.findings import Finding, finding
from schemas.lifecycle import FindingRecord, Plan
from schemas.profile import PartnerProfile


@dataclass
class PartnerResult:
    partner: str
    files: int = 0
    processed: int = 0
    quarantined: int = 0
    duplicates: int = 0
    orders: int = 0
    documents: Counter = field(default_factory=Counter)
    delivered: int = 0
    errors: int = 0
    warnings: int = 0
    accepted: int = 0
    held: int = 0
    rejected: int = 0
    findings: list[dict] = field(default_factory=list)
    failure: str = ""

    def to_dict(self) -> dict:
        d = asdict(self)
        d["documents"] = dict(self.documents)
        return d


DropFactory = Callable[[PartnerProfile], FileDrop]
# A local X12 file larger than this (or than the partner's limits.max_set_bytes) is read a piece of whole
# interchanges at a time (parsers.x12_stream), each piece committed before the next is read.
STREAM_BYTES = 16_000_000
PIECE_BYTES = 4_000_000  # a piece: whole interchanges, at least this many bytes (but the file's last)
# One interchange larger than SPLIT_BYTES is never held: its envelope is scanned, then its transaction sets
# are read in batches of at most BATCH_SETS sets and about BATCH_BYTES bytes (parsers.x12_batches,
# engine.process_batches), each committed before the next is read; memory follows the batch (~30x its size).
SPLIT_BYTES = 4_000_000
BATCH_BYTES = 4_000_000
BATCH_SETS = 5_000
# files.status of a file read in pieces, until its last piece; where to go on is its resume point (files.resume_*,
# connectors.state.FileResume; before store version 34 words after the status, "receiving:OFFSET:...")
RECEIVING = "receiving"
ACK_CONSEQUENCE = "acknowledgment not used for that set (the latest matching answer counts)"
ADVICE_CONSEQUENCE = "the partner's application's verdict on our document, kept as its status"
DUPLICATE_CONSEQUENCE = "nothing sent again"  # a FILE_DUPLICATE's (its file_move says where it waits)


def local_drops(ws: Workspace) -> DropFactory:
    return lambda profile: LocalDrop(ws.drop_root / profile.id, settle_seconds=profile.drop.local.settle_seconds,
                                     temp_suffixes=profile.drop.local.temp_suffixes,
                                     min_age_seconds=profile.drop.local.min_age_seconds)


def known_state(state: StateStore, partner: str) -> Known:
    return _known(state.interchange_uses(partner))


def _other_profiles(ws: Workspace) -> Mapping[str, PartnerProfile]:
    """The profiles that load, to name whose another partner's interchange is (engine.process.owners_named): none
    when the workspace's profiles cannot be listed (the finding then says what it said before), never the run's
    failure, nor a broken profile's another partner's (a ConfigError of ws.partners())."""
    try:
        return ws.runnable_partners()
    except ConfigError:
        return {}


def known_for(state: StateStore, partner: str, parsed: ParseResult) -> Known:
    """known_state as far as one parsed file can ask (engine.process.envelope_keys): the store asked about
    the file's own interchanges, not for the partner's whole envelope history (which grows every night)
    once per file. Groups are not asked about: a GS06 is unique within its interchange only."""
    uses = state.interchange_uses(partner, envelope_keys(parsed))
    known = _known(uses)
    if not uses:  # the usual night: no number seen before, nothing more to ask
        return known
    # a number seen before: what acknowledgments it brought (an interchange of them sent again is a repeat)
    return with_acks(known, state.interchange_acks(partner, uses))


def with_earlier_acks(state: StateStore, partner: str, known: Known, outcome) -> Known | None:
    """For a piece of a file read in pieces: the Known to tell it again with (engine.process.duplicated_earlier
    names the interchanges of earlier files it found ISA_DUPLICATE, again_with_acks adds what acknowledgments the
    store holds for them), or None: the piece stands as read."""
    keys = duplicated_earlier(known, outcome.findings)
    if not keys:
        return None
    return again_with_acks(known, state.interchange_acks(partner, state.interchange_uses(partner, keys)))


def span_known(state: StateStore, partner: str, known: Known, sk: x12_batches.Skeleton) -> Known:
    """For one interchange read in batches (``sk``, its scanned envelope): ``known`` with what acknowledgments it
    brought when it came in an earlier file, if it did (as known_for asks for a file read whole), so
    engine.process_batches can tell a resend of them (ISA_ACKS_REPEATED) at any size; ``known`` itself otherwise
    (the usual interchange: a number never seen, nothing more asked)."""
    [ic] = x12_batches.read_head(sk, file="").interchanges
    keys = span_earlier(known, (ic.sender, ic.control_number))
    if not keys:
        return known
    return with_more_acks(known, state.interchange_acks(partner, state.interchange_uses(partner, keys)))


def _known(interchanges: dict) -> Known:
    """A Known of the store's (key -> (received_at, file name)) answers; a use whose file row is missing
    has no time, so it stays a duplicate."""
    return Known(interchanges=frozenset(interchanges),
                 interchange_uses={k: EarlierUse(at, name or "") for k, (at, name) in interchanges.items() if at})


# --- stage 1: intake ---------------------------------------------------------------------------------
def intake_partner(ws: Workspace, profile: PartnerProfile, state: StateStore, drop: FileDrop, *,
                   now: datetime, run_id: str, keep: Callable[[], None] | None = None) -> PartnerResult:
    """List the inbox; for each file: archive (verified), check, plan (engine.lifecycle), apply the plan
    with its 997/TA1 in one transaction, move. ``keep`` (the partner's lease renewal, when partners are
    sharded) is called before each file and before each piece of a file read in pieces is stored: a
    worker that lost the lease (LeaseLost) stops there, with what it committed kept and the rest left
    in the inbox for the new holder. Python's cyclic collector runs less often meanwhile
    (flows.gc_pause.fewer_collections): each file makes and drops many small objects (segments, 997 loops,
    rows for the store), almost none in cycles; its ~135 collections of a 10,000-PO intake found little
    (0.09-0.12 -> 0.02 s CPU)."""
    with fewer_collections():
        return _intake_partner(ws, profile, state, drop, now=now, run_id=run_id, keep=keep)


def _take_held_early(ws: Workspace, profile: PartnerProfile, state: StateStore, *, now: datetime) -> None:
    """The files held for ids of a switch to come ([x12] early_ids "hold": PARTNER_SWITCH_EARLY) whose switch date
    has come (engine.process.early_files_due) are marked to be taken again, as `orderbridge retake` marks one: this
    night takes them, from their kept copies, with FILE_RETAKEN naming why. One whose kept copy is gone stays held
    (logged), for ops to retake by hand."""
    held = state.held_early_files(profile.id)
    for h in early_files_due(held, profile) if held else ():
        try:
            retake.mark(ws, state, h["sha256"], partner=profile.id, by="orderbridge", at=now.isoformat(),
                        note=f"held as sent early from {h['value']}; the switch date has come")
        except retake.Refused as exc:
            taking.log.warning("%s: %s held for the switch not taken again: %s", profile.id, h["name"], exc)


def _intake_partner(ws: Workspace, profile: PartnerProfile, state: StateStore, drop: FileDrop, *,
                    now: datetime, run_id: str, keep: Callable[[], None] | None) -> PartnerResult:
    res = PartnerResult(partner=profile.id)
    # a partner on SFTP: the local drop/<id>/inbox/ beside it (the VAN mailbox's hand-offs, files put there by hand)
    # is read with the profile's [drop.local] ready rule, as a local partner's inbox: a file still growing waits
    local = drop if isinstance(drop, LocalDrop) else local_drops(ws)(profile)
    store = OrderStore(ws.orders_dir)
    at = now.isoformat()
    render = renderer({profile.id: profile}, now)
    from connectors.reference import agreed_currency

    currency = agreed_currency(ws.reference_dir, profile.id)  # a PO's that sends no heading CUR (set checks)
    for folder in ("archive", "processed", "quarantine"):  # half-written copies of a killed run (under the lease)
        local.remove_temporaries(folder)
    _report_outside_inbox(state, local, res, run_id=run_id)
    inbox = drop
    _take_held_early(ws, profile, state, now=now)
    moved = taking.Mover(local, move=_dispose)  # a move a local inbox refuses leaves the file taken, its move owed
    # the files ops asked to take again (`orderbridge retake`), from their kept copies, then (a drop on SFTP) what
    # the VAN mailbox's split handed to the local inbox beside it, then the inbox
    for drop, info in _to_take(state, inbox, local, retake.kept_copies(state, local, profile.id), res, run_id):
        if not is_safe_name(info.name):
            continue
        if keep is not None:
            keep()
        over = budgets.file_too_large(info.size, profile.limits, file=info.name)
        if over is not None:  # never read into memory
            _take_in_unread(profile, state, drop, local, info.name, over, res, now=now, run_id=run_id, moved=moved)
            continue
        if info.size > (STREAM_BYTES if profile.is_csv_file(info.name)
                        else min(STREAM_BYTES, profile.limits.max_set_bytes)):
            _take_in_streamed(profile, state, drop, local, store, info.name, info.size, res, render=render, now=now,
                              reference_dir=ws.reference_dir, messages_dir=text_messages.folder(ws, run_id),
                              run_id=run_id, keep=keep, currency=currency, kept_root=ws.root, moved=moved,
                              partners=functools.partial(_other_profiles, ws))
            continue
        data = taking.read_listed(drop, info, who=profile.id)
        if data is None:  # still being written, or gone: the next run lists it again
            continue
        sha = hashlib.sha256(data).hexdigest()
        if _left_on_server(drop, state, profile.id, sha, info.name, partner=profile.id, stage="intake"):
            continue
        res.files += 1
        recorded = state.file_record(profile.id, sha)
        owed = moved.owed(drop, state, profile.id, "intake", info.name, recorded)
        archived = archive_name(now.date(), sha, info.name)
        if not owed:  # one whose move is owed was archived by the run that took it (not once more each night)
            if local.stat("archive", archived) is None:
                local.write("archive", archived, data)
            if hashlib.sha256(local.read("archive", archived)).hexdigest() != sha:
                raise TransientError("archived copy does not match the download", partner=profile.id, name=info.name)
        faults.reached("after-archive")
        if recorded is not None and recorded["disposed_at"] is None and recorded["name"] == info.name:
            # taken in by a run that died before moving it: finish that run's move, nothing else
            disposition = "quarantine" if recorded["status"] == "quarantined" else "processed"
            if not moved(drop, info.name, data, disposition):
                continue
            state.mark_disposed(profile.id, sha, at)
            res.processed += disposition == "processed"
            res.quarantined += disposition == "quarantine"
            continue
        if owed:  # a duplicate reported before, left in an inbox that refused its move: only moved, not reported
            moved.duplicate(drop, state, profile.id, "intake", info.name, data, reported=None)
            continue
        if recorded is not None:
            _duplicate(state, profile, res, info.name, recorded, run_id, sha)
            moved.duplicate(drop, state, profile.id, "intake", info.name, data, reported=run_id)
            continue
        with timed("intake.check", profile.id):
            if profile.is_csv_file(info.name):
                outcome = process_csv_file(data, file=info.name, sha256=sha, profile=profile)
            else:
                parsed = read_interchanges(data, file=info.name)
                outcome = process_file(data, file=info.name, sha256=sha, profile=profile, parsed=parsed,
                                       known=known_for(state, profile.id, parsed), today=now.date(), received_at=now,
                                       agreed_currency=currency)
                if any(f.code == "PARTNER_SENDER_MISMATCH" for f in outcome.findings):  # whose is it? (rare: the
                    # other profiles are read for it alone)
                    outcome.findings = owners_named(outcome.findings, parsed.interchanges, _other_profiles(ws))
        plan, applied = _plan_and_store(profile, state, store, outcome, render=render, now=now, run_id=run_id,
                                        reference_dir=ws.reference_dir, name=info.name,
                                        messages_dir=text_messages.folder(ws, run_id), kept_root=ws.root,
                                        record=dict(
                                            size=len(data), archive_path=archived, error_count=outcome.error_count,
                                            status="quarantined" if outcome.disposition == "quarantine"
                                            else "processed"))
        faults.reached("after-intake-commit")
        _count(res, outcome, plan, applied)
        if moved(drop, info.name, data, outcome.disposition):
            state.mark_disposed(profile.id, sha, at)
        res.processed += outcome.disposition == "processed"
        res.quarantined += outcome.disposition == "quarantine"
    if (owed := moved.error()) is not None:
        raise owed
    return res


def _to_take(state: StateStore, inbox: FileDrop, local: LocalDrop, kept: KeptCopies, res: PartnerResult,
             run_id: str) -> Iterator[tuple[FileDrop, FileInfo]]:
    """Each file to take with the drop to read it from (retake.with_kept: the kept copies due, then the inbox), and
    for a partner whose drop is on a server (SFTP) first the files of the local drop/<id>/inbox/ beside it: the
    interchanges the VAN mailbox's split handed it (flows.mailbox; each written whole under a hidden name and
    renamed) and files put there by hand, listed by the profile's [drop.local] ready rule as a local partner's inbox
    is (a file changed less than settle_seconds ago is read only if it stays unchanged that long). They are taken
    from the local inbox and moved to the local processed/ or quarantine/ as a local partner's are (its SHA-256
    and name in the files table: never twice), before the server is first asked, so a server that is down leaves
    them answered (its intake then fails saying so). The inbox entries never read (refusals) of both are reported,
    the server's as it is first listed."""
    if inbox is not local:
        _report_refusals(state, local, res, run_id=run_id)
        for info in local.list("inbox"):
            yield local, info
    _report_refusals(state, inbox, res, run_id=run_id)
    yield from retake.with_kept(inbox, kept)


def as_taken(outcome, reference_dir: Path | None, *, catch_weight: bool = True):
    """``outcome``'s lines as intake stores them, through the reference data: by weight (by_weight), a size run a line
    per size (by_size), a reel priced per thousand feet per reel (by_item_units), a line in EA priced by a CTP per CA
    per EA (by_ctp_units). Intake and `state rebuild`'s replay of the archive (flows.rebuild) both take a file so: a
    rebuilt store holds the lines the night stored (the replay once lacked by_ctp_units: its CTP05-priced lines stayed
    per their CTP05)."""
    outcome = by_weight(outcome, reference_dir, catch_weight=catch_weight)
    outcome = by_size(outcome, reference_dir)  # a size run ordered as one style line: a line per size
    outcome = by_item_units(outcome, reference_dir)  # a reel priced per thousand feet, per reel
    return by_ctp_units(outcome, reference_dir)  # a line in EA priced by a CTP per CA, per EA


def by_weight(outcome, reference_dir: Path | None, *, catch_weight: bool = True):
    """``outcome`` with its lines ordered by weight (PO103 LB, KG ...; ``catch_weight``: the partner's profile deals
    in catch weight, ``[rules] catch_weight``) of an item whose items.csv row gives an average weight (or, sold by
    the case, whose line's PO4 states the case's weight) taken in as whole cases priced per that weight, and its
    lines in a volume whose PO4 states the pack's content in it (220 GA with PO4*1*55*GA) of an item sold by that
    pack taken in as whole packs, whatever the profile (rules.business.by_weight.as_cases); as it
    is when no line is, or the reference data cannot be read (the decide stage reports that, and the line
    stays UNIT_NOT_CONVERTIBLE: never a file lost for it)."""
    from rules.business.by_weight import as_cases, ordered_by_volume, ordered_by_weight

    needed = ordered_by_weight(outcome.lines) or ordered_by_volume(outcome.lines)  # a KG line of a LB item: any
    ref = _reference_for(reference_dir, reference_dir is not None and needed)
    if ref is None:
        return outcome
    return replace(outcome, lines=as_cases(outcome.lines, ref, weights=catch_weight))


def _reference_for(reference_dir: Path | None, needed: bool):
    """The reference data when ``needed`` and readable, else None (the decide stage reports an unreadable one)."""
    if reference_dir is None or not needed:
        return None
    from connectors.reference import load_reference

    try:
        return load_reference(reference_dir)
    except ConfigError:
        return None


def by_item_units(outcome, reference_dir: Path | None):
    """``outcome`` with its lines in a package of an item sold by a measure and priced per that measure (reels of
    500 FT priced per thousand feet, TF) priced per their unit through the item's units (an item_units row:
    rules.business.measure_prices.by_item_units); as it is when no line is so priced, or the reference data
    cannot be read (the decide stage reports that, and the line stays PRICE_BASIS_UNSUPPORTED)."""
    from rules.business.measure_prices import by_item_units as restated
    from rules.business.measure_prices import measure_priced

    ref = _reference_for(reference_dir, reference_dir is not None and measure_priced(outcome.lines))
    return outcome if ref is None else replace(outcome, lines=restated(outcome.lines, ref))


def by_ctp_units(outcome, reference_dir: Path | None):
    """``outcome`` with its lines priced by a CTP per another unit than their own (CTP05 CA on a line in EA) priced
    per their unit through the item's pack (rules.business.ctp_units.per_line_unit); as it is when no line is so
    priced, or the reference data cannot be read (the decide stage reports that, and the line waits for a person,
    PRICE_BASIS_UNSUPPORTED)."""
    from rules.business.ctp_units import ctp_unit_priced, per_line_unit

    ref = _reference_for(reference_dir, reference_dir is not None and ctp_unit_priced(outcome.lines))
    return outcome if ref is None else replace(outcome, lines=per_line_unit(outcome.lines, ref))


def by_size(outcome, reference_dir: Path | None):
    """``outcome`` with every size run ordered as one style line (a PO1 naming no item of ours, its sizes in SLN I
    sublines each naming one of ours with its own quantity) taken in as one line per size, its SACs and line count
    following (rules.business.size_runs.as_sizes); as it is when no line has sublines, or the reference data cannot
    be read (the decide stage reports that, and the style line stays ITEM_UNKNOWN)."""
    from rules.business.size_runs import as_sizes, has_sublines

    ref = _reference_for(reference_dir, reference_dir is not None and has_sublines(outcome.lines))
    if ref is None:
        return outcome
    lines, sacs, orders = as_sizes(outcome.lines, ref, outcome.sacs, outcome.orders)
    if lines is outcome.lines:
        return outcome
    return replace(outcome, lines=lines, sacs=sacs, orders=orders)


def _count(res: PartnerResult, outcome, plan, applied) -> None:
    findings = [fr.finding for fr in [*plan.findings, *applied.held]]
    res.documents.update({doc_type: n for (_, doc_type), n in applied.documents.items()})
    res.orders += outcome.orders.num_rows
    # intake's line counts the file/envelope/syntax errors of the input: a partner's 997 rejecting a document of ours
    # is its verdict on ours (PARTNER_VERDICTS: the reconciliation's DOCUMENT_REJECTED), not an error of its file,
    # as `orderbridge inspect` of the same file counts it (the night's line said "1 file/envelope/syntax error")
    res.errors += sum(1 for f in findings if f.severity == "error" and f.code not in PARTNER_VERDICTS)
    res.warnings += sum(1 for f in findings if f.severity == "warning")
    res.findings.extend(_row(f, res.partner) for f in findings)


def _ack_findings(state: StateStore, profile: PartnerProfile, acks: pa.Table, *, now: datetime,
                  partner: str = "") -> list[Finding]:
    """At intake, for one received file's 997/999 and TA1 rows: acknowledgments of nothing we sent to the
    partner (FA_UNMATCHED) and answers that contradict earlier ones (FA_ACK_CONFLICT). ``partner``: whose documents
    they answer, when not the profile's (the partner it carries on, [continues]; that partner's profile not needed):
    the findings do not depend on the finance settings passed (engine.partner_acks.file_findings: FA_UNMATCHED,
    FA_DOCUMENT_REJECTED and FA_ACK_CONFLICT come from the answers' keys and verdicts; the settings' windows set only
    a set's due/overdue status, which intake does not keep), and the reconciliation judges that partner's documents
    by that partner's own settings (its ack_997_hours, expects_997)."""
    if not acks.num_rows:
        return []
    if partner and partner != profile.id:
        profile = profile.model_copy(update={"id": partner})
    # the sets of the groups this file answers and the earlier answers to them (and the partner's TA1s):
    # engine.partner_acks.answered_here keeps no other; a file with TA1s reads them all (the groups of the
    # interchanges a TA1 names are our sets')
    gs06s = None if "TA1" in acks["ack_type"].to_pylist() else control_key(acks["acked_gs06"]).to_pylist()
    sent = _sent(state, state.sent_sets_of(finance_inputs.PARTNER_ACKED, partner=profile.id, gs06s=gs06s),
                 None if gs06s is not None else profile.id)
    earlier = state.partner_acks(profile.id, groups=None if gs06s is None else zip(
        acks["acked_functional_id"].to_pylist(), gs06s, strict=True))
    # and the 810s/856s another system of ours sent through EDI (`orderbridge record`) this file or an earlier
    # one answers: no FA_UNMATCHED for them; a rejection of one is told like ours
    recorded = finance_inputs.recorded_sets(state.recorded_lines_of(profile.id))
    if recorded.num_rows:
        sent = with_answered_recorded(sent, recorded, pa.concat_tables([earlier, acks.select(earlier.column_names)
                                                                        .cast(earlier.schema)]))
    ours = None  # a TA1 may answer an interchange of our 997s alone
    if "TA1" in acks["ack_type"].to_pylist():
        ours = state.sent_sets_of(finance_inputs.OUR_997, partner=profile.id).select(["partner", "isa13"])
    return file_findings(sent, earlier, acks, settings={profile.id: profile.finance_settings},
                         as_of=now, interchanges=ours)


def _sent(state: StateStore, sets: pa.Table, every_of: str | None = None, *, bills: bool = False) -> pa.Table:
    """SENT_SETS of ``sets`` (StateStore.sent_sets_of's rows), each 856 and 810 with its shipment id or invoice number
    (a partner's rejection names them; ``bills``: an 856's bill of lading too, an 824 may quote it): the refs of these
    sets alone, looked up by their keys (StateStore.fulfilment_refs), not every shipment and invoice kept; when
    ``sets`` are every set sent to the partner ``every_of``, that partner's refs read whole (cheaper than by key)."""
    refs = state.fulfilment_refs(partner=every_of) if every_of else state.fulfilment_refs(
        finance_inputs.fulfilled_keys(sets))
    return finance_inputs.sent_sets(sets, refs, bills=bills)


def _ta1_documents(state: StateStore, profile: PartnerProfile, outcome):
    """The outcome with each of its TA1 findings naming the documents we sent in the interchange the TA1
    answers (engine.partner_acks.name_interchanges); the outcome itself when it has none."""
    if not names_interchanges(outcome.findings):
        return outcome
    sent = _sent(state, state.sent_sets_of(finance_inputs.PARTNER_ACKED, partner=profile.id), profile.id)
    ours = state.sent_sets_of(finance_inputs.OUR_997, partner=profile.id)  # a TA1 may refuse our 997s too
    return replace(outcome, findings=name_interchanges(outcome.findings, with_our_997s(sent, ours)))


def _advice(state: StateStore, profile: PartnerProfile, outcome, *, day):
    """A received file's 824 OTIs matched to what we sent the partner (engine.application_advice): the
    outcome with their FUNCTIONAL_ACKS rows added beside its 997s, and the findings for ops. A partner carrying on
    another's orders ([continues] in effect on ``day``) is matched against the other's documents sent under its
    envelope from the date as well (numbered in its sequence: a GS06/ST02 names one set), as its 997s are
    (_continued then moves the rows naming them to the other, by their group)."""
    if not outcome.advice.num_rows:
        return outcome, []
    sent = _sent(state, state.sent_sets_of(finance_inputs.PARTNER_ACKED, partner=profile.id), profile.id, bills=True)
    other = profile.continuing(day)
    if other is not None:
        theirs = _since(state.sent_sets_of(finance_inputs.PARTNER_ACKED, partner=other), profile.continues.effective)
        if theirs.num_rows:
            theirs = _sent(state, theirs, bills=True)
            at = theirs.schema.get_field_index("partner")  # matched as this partner's sets (advice_acks keeps the
            theirs = theirs.set_column(at, theirs.schema.field(at),  # OTI's partner's alone)
                                       pa.array([profile.id] * theirs.num_rows, pa.string()))
            sent = pa.concat_tables([sent, theirs.cast(sent.schema)])
    rows, found = advice_acks(outcome.advice, sent)
    return replace(outcome, functional_acks=pa.concat_tables([outcome.functional_acks, rows])), found


def _since(sent: pa.Table, since) -> pa.Table:
    """``sent`` (StateStore.sent_sets_of's rows) sent on or after the day ``since``."""
    if not sent.num_rows:
        return sent
    return sent.filter(pc.greater_equal(sent["sent_at"], pa.scalar(datetime.combine(since, datetime.min.time()),
                                                                   sent.schema.field("sent_at").type)))


def _continued(state: StateStore, profile: PartnerProfile, outcome, *, day):
    """``outcome`` split for a partner carrying on another's orders ([continues] in effect on ``day``): (the outcome
    without what is the other's, that part as the other's (None: nothing), the other's id). The other's: the 860s
    naming a PO the other holds and this partner does not (an 860 for a PO neither holds stays this partner's:
    CHANGE_AWAITING_ORDER, then CHANGE_ORDER_UNKNOWN), and the 997/999 answers to the groups of the other's documents
    sent under this partner's envelope (from the date: numbered in this partner's sequence, so a GS06 names one
    group). Read from the store alone: the other's profile need not load."""
    other = profile.continuing(day)
    if other is None or not (outcome.change_headers.num_rows or outcome.functional_acks.num_rows):
        return outcome, None, ""
    named = set(outcome.change_headers["po_number"].to_pylist())
    theirs = {po for _, po in state.orders_for({(other, po) for po in named})} if named else set()
    ours = {po for _, po in state.orders_for({(profile.id, po) for po in theirs})} if theirs else set()
    kept, carried = lifecycle.continued_rows(outcome, theirs - ours, other)
    kept_acks, their_acks = _acks_of(state, outcome.functional_acks, other, profile.continues.effective)
    if not carried.change_headers.num_rows and not their_acks.num_rows:
        return outcome, None, ""
    return replace(kept, functional_acks=kept_acks), replace(carried, functional_acks=their_acks), other


def _advice_of(found: list[Finding], carried) -> tuple[list[Finding], list[Finding]]:
    """The findings of a file's 824 OTIs (_advice) split: (this partner's, those about the documents of the partner
    carried on: the OTIs whose rows _continued moved to it (``carried``), by the OTI's segment in the file)."""
    if carried is None or not found:
        return found, []
    acks = carried.functional_acks
    moved = set(acks.filter(pc.equal(acks["ack_type"], "824"))["file_segment"].to_pylist()) \
        if acks.num_rows else set()
    theirs = [f for f in found if f.location.file_segment in moved]
    return [f for f in found if f.location.file_segment not in moved], theirs


def _acks_of(state: StateStore, acks: pa.Table, other: str, since) -> tuple[pa.Table, pa.Table]:
    """``acks`` (a continuing partner's 997/999 rows) split: (its own, those answering groups of ``other``'s documents
    sent from ``since`` on, as ``other``'s (partner column))."""
    import pyarrow.compute as pc

    none = acks.slice(0, 0)
    if not acks.num_rows:
        return acks, none
    keys = control_key(acks["acked_gs06"])
    named = {k for k in keys.to_pylist() if k}
    if not named:
        return acks, none
    sent = _since(state.sent_sets_of(finance_inputs.PARTNER_ACKED, partner=other, gs06s=named), since)
    groups = set(control_key(sent["gs06"]).to_pylist()) if sent.num_rows else set()
    if not groups:
        return acks, none
    mask = pc.fill_null(pc.is_in(keys, value_set=pa.array(sorted(groups), pa.string())), False)
    if "TA1" in acks["ack_type"].to_pylist():  # a TA1 names an interchange, not a group: the continuing partner's
        mask = pc.and_(mask, pc.not_equal(acks["ack_type"], "TA1"))
    moved = acks.filter(mask)
    at = moved.schema.get_field_index("partner")
    moved = moved.set_column(at, moved.schema.field(at), pa.array([other] * moved.num_rows, pa.string()))
    return acks.filter(pc.invert(mask)), moved


def _plan_and_store(profile: PartnerProfile, state: StateStore, store: OrderStore, outcome, *, render, now: datetime,
                    run_id: str, name: str, record: dict, part: int = 0, reference_dir: Path | None = None,
                    messages_dir: Path | None = None, kept_root: Path | None = None):
    """Plan what ``outcome`` (a file, or a piece of one) does to orders (engine.lifecycle) and apply it
    with its 997/TA1, its canonical tables and the file's row (``record``: its size, status, archive_path,
    error_count) in one transaction. A line ordered by weight of an item with an average weight in the
    reference data (``reference_dir``) is taken in as whole cases priced per the weight (by_weight) when the
    partner's profile deals in catch weight; a line in reels (coils ...) of an item sold by the foot priced per
    thousand feet is priced per reel through the item's units (by_item_units); a size run ordered as one style
    line is taken in a line per size (by_size); a line priced by a CTP per another unit is priced per its own
    (by_ctp_units): as_taken does all four. The outcome's 864 text messages
    are kept under ``messages_dir`` (flows.text_messages) before the transaction: a file taken again after a
    crash writes them again. So are, under the workspace ``kept_root``, the sets taken without processing (each
    handed off once for ops and the ERP) and its 820s' and 812s' figures for the reconciliation (flows.handoff)."""
    at = now.isoformat()
    outcome = as_taken(outcome, reference_dir, catch_weight=profile.rules.catch_weight)
    if kept_root is not None and outcome.handoff:  # each kept set's finding names the file it is handed off as
        outcome = replace(outcome, findings=handoff.as_handed_off(kept_root, profile.id, outcome.handoff,
                                                                  outcome.kept, outcome.findings))
    planning = Lap("intake.plan", profile.id)
    outcome, ambiguous = key_releases(state, store, profile.id, outcome,
                                      ref=profile.order_key_column)  # a release is an order of its own
    outcome = _ta1_documents(state, profile, outcome)  # a TA1 rejecting our interchange names what it held
    # a received 824's OTIs as answers (before _continued: those naming the other's documents move with its 997s)
    outcome, advised = _advice(state, profile, outcome, day=now.date())
    outcome, carried, continued = _continued(state, profile, outcome, day=now.date())
    advised, their_advice = _advice_of(advised, carried)
    named = {(profile.id, po) for po in outcome.orders["po_number"].to_pylist()
             + outcome.change_headers["po_number"].to_pylist()}
    live = state.orders_for(named)
    lines = state.lines_for(live)
    unanswered: dict[str, list] = {}
    # (and those waiting on a person's decision: a cancelling or replacing 850 supersedes them as well)
    for c in state.pending_changes(statuses=(*lifecycle.UNANSWERED_CHANGES, *lifecycle.WAITING_ON_HOLD), keys=live):
        unanswered.setdefault(c.po_number, []).append(c)
    plan = lifecycle.plan_intake(outcome, partner=profile.id, live={po: r for (_, po), r in live.items()},
                                 lines={po: ln for (_, po), ln in lines.items()}, at=at, run_id=run_id,
                                 unanswered=unanswered,
                                 envelope=envelope_for(profile) if profile.x12 is not None else None,  # CSV: no 997
                                 resent_replaces=profile.resent_po == "replace",
                                 buyers=profile.buyer_gs_ids, csv_layout=profile.fulfilment.csv_orders)
    if carried is not None:  # 860s for the orders of the partner this one carries on ([continues]): that one's
        held = state.orders_for({(continued, po) for po in carried.change_headers["po_number"].to_pylist()})
        plan += lifecycle.plan_continued_changes(carried, partner=continued, at=at, run_id=run_id, by=profile.id,
                                                 live={po: r for (_, po), r in held.items()})
    # a blanket cancelled while releases of it may still ship: named for ops, those answered and unshipped held
    plan += blankets_cancelled(state, store, plan, cancelling_rows(outcome.orders), at=at, run_id=run_id)
    if ambiguous:
        plan += Plan(findings=tuple(FindingRecord(f, profile.id, f.location.value or "", "860 not applied; nothing "
                                                  "sent", "intake") for f in ambiguous))
    plan += lifecycle.plan_file_findings(advised, partner=profile.id, consequence=ADVICE_CONSEQUENCE)
    if their_advice:  # (those about the documents of the partner carried on: that partner's, as its 997s' are)
        plan += lifecycle.plan_file_findings(their_advice, partner=continued, consequence=ADVICE_CONSEQUENCE)
    if not part:  # a file taken again as ops asked: who, when, why, and its earlier take (file_takes)
        plan += lifecycle.plan_file_findings(retake.retaken(state, profile.id, outcome.sha256, name),
                                             partner=profile.id, consequence=retake.TAKEN_AGAIN)
    for acks, partner in ((outcome.functional_acks, profile.id),  # (and the answers to the documents of the partner
                          *(((carried.functional_acks, continued),) if carried is not None else ())):  # carried on)
        told = _ack_findings(state, profile, acks, now=now, partner=partner)
        plan += lifecycle.plan_file_findings([f for f in told if f.code not in PARTNER_VERDICTS], partner=partner,
                                             consequence=ACK_CONSEQUENCE)
        plan += lifecycle.plan_file_findings([f for f in told if f.code in PARTNER_VERDICTS], partner=partner,
                                             consequence=lifecycle.intake.REJECTED_CONSEQUENCE)
    if messages_dir is not None:
        text_messages.keep(messages_dir, outcome.text_messages, part=part)
    if kept_root is not None:
        handoff.hand_off(kept_root, profile.id, outcome.handoff)
        handoff.keep_remittance(kept_root, profile.id, outcome.sha256, outcome.remittance, part=part)
    faults.reached("after-parse")
    planning.stop()
    storing = Lap("intake.store", profile.id)
    def tables() -> None:  # the file's canonical tables (written before the transaction commits)
        if outcome.orders.num_rows:
            store.save(profile.id, outcome.sha256, outcome.orders, outcome.lines, part=part,
                       sacs=outcome.sacs)  # and what the 850s' SACs promised
        if outcome.change_headers.num_rows:
            store.save_changes(profile.id, outcome.sha256, outcome.change_headers, outcome.changes, part=part,
                               sacs=outcome.change_sacs)  # and the SACs the 860s add, change or take off
        if carried is not None:  # (those for the orders carried on: stored as that partner's)
            store.save_changes(continued, outcome.sha256, carried.change_headers, carried.changes, part=part,
                               sacs=carried.change_sacs)

    with state.transaction():  # the plan, its 997/TA1, the file and where it is to go: one transaction
        state.record_partner_acks(outcome.functional_acks, run_id=run_id)
        if carried is not None and carried.functional_acks.num_rows:
            state.record_partner_acks(carried.functional_acks, run_id=run_id)
        with meanwhile(tables if outcome.orders.num_rows or outcome.change_headers.num_rows or carried is not None
                       else None):
            applied = state.apply(plan, render=render, hold=holder({profile.id: profile}, stage="intake",
                                                                   files={outcome.sha256: name}), at=at,
                                  run_id=run_id)
        for sender, isa13 in outcome.interchanges_seen:
            state.record_interchange(profile.id, sender, isa13, outcome.sha256)
        for key in outcome.groups_seen:
            state.record_group(profile.id, key, outcome.sha256)
        state.record_file(profile.id, outcome.sha256, name, record["size"], at, record["status"],
                          archive_path=record["archive_path"], run_id=run_id, error_count=record["error_count"],
                          resume=record.get("resume"), encoding=outcome.encoding or None)
        if outcome.parse is not None:  # what we answer it in ([x12] encoding = "auto": flows.documents)
            state.record_charset(profile.id, outcome.sha256, charset(outcome.parse))
    if profile.continued_by is not None and outcome.orders.num_rows:  # [continues]: the continuer's 860s waiting
        _waiting_moved(state, store, profile, set(outcome.orders["po_number"].to_pylist()))  # for these 850s
    storing.stop()
    return plan, applied


def _waiting_moved(state: StateStore, store: OrderStore, profile: PartnerProfile, pos: set[str]) -> None:
    """The 860s of the partner carrying on this one's orders (B, [continues]: ``profile.continued_by``) waiting for
    an 850 (CHANGE_AWAITING_ORDER: pending, B holding no order of the PO) that this partner's 850s just taken in
    (``pos``) bring: made this partner's, as B's intake makes an 860 for an order A holds (_continued): its change
    tables stored under this partner (that PO's headers and POCs alone) and the pending change moved to it, so the
    night's decide applies it to the order as a change read before its 850 (it waited as B's and was refused as
    B's once early_change_days passed). The tables are written before the store is told (a crash between: the next
    850 of the PO, or this file taken again, writes them again)."""
    other = profile.continued_by
    waiting = [c for c in state.pending_changes(keys={(other, po) for po in pos})]
    if not waiting:
        return
    held = state.orders_for({(other, c.po_number) for c in waiting})  # B's own order of the PO: its own change
    for c in waiting:
        if (other, c.po_number) in held or (profile.id, c.po_number) not in state.orders_for({(profile.id,
                                                                                              c.po_number)}):
            continue
        ref = pa.array([c.change_ref], pa.string())

        def of_it(table: pa.Table, keep: bool = True, ref: pa.Array = ref) -> pa.Table:  # its rows, or the others
            if "change_ref" not in table.column_names:
                return table if keep else table.slice(0, 0)
            hit = pc.is_in(table["change_ref"], value_set=ref)
            return table.filter(hit if keep else pc.invert(hit))

        h, ch, s = (of_it(t) for t in (*store.load_changes(other, c.store_key),
                                       store.load_change_sacs(other, c.store_key)))
        try:  # another change of the same file made this partner's before: kept beside it
            ours = (*store.load_changes(profile.id, c.store_key), store.load_change_sacs(profile.id, c.store_key))
        except StateError:
            ours = None  # (none stored under this partner yet)
        if ours is not None and ours[0].num_rows:
            h, ch, s = (pa.concat_tables([of_it(mine, keep=False), t]) for mine, t in zip(ours, (h, ch, s),
                                                                                        strict=True))
        store.save_changes(profile.id, c.store_key, h, ch, sacs=s)
        state.move_pending_change(c.id, profile.id)


def _take_in_streamed(profile: PartnerProfile, state: StateStore, drop: FileDrop, local: LocalDrop, store: OrderStore,
                      name: str, size: int, res: PartnerResult, *, render, now: datetime, run_id: str,
                      keep: Callable[[], None] | None = None, reference_dir: Path | None = None,
                      messages_dir: Path | None = None, currency: str | None = None,
                      kept_root: Path | None = None, moved: taking.Mover | None = None,
                      partners: Callable[[], Mapping[str, PartnerProfile]] | None = None) -> None:
    """A file too large to hold: archived by a streaming copy (a local drop's) or a download spooled a
    chunk at a time into the archive (a remote drop's: `_fetch_to_archive`); a CSV order file then goes
    on to `_take_in_csv_streamed`; an X12 file is read from
    the archive a piece of whole interchanges at a time, each piece checked, planned and committed
    (orders, 997/TA1, findings, its interchanges and groups, and the file's progress: status ``receiving``, its
    errors so far and its resume point, connectors.state.FileResume: offset, segments, part, batches) before the next
    is read. A run that dies mid-file is taken up by
    the next run at the first piece not committed (nothing taken twice, nothing lost; a remote file
    stays on its server until then and is fetched again); the file is recorded processed or
    quarantined, and moved, after its last piece. One interchange over SPLIT_BYTES is not held: its
    envelope is scanned from the archive, then its sets are read in batches (engine.process_batches: the
    whole read's findings, 997s and tables), each committed as a piece is (a rerun scans it again and
    goes on after the batches committed); one the scan cannot cut safely is read whole, as before.
    ``moved`` (flows.taking.Mover, the partner's): a local inbox refusing the move leaves the file taken, its
    move owed, and the rest of the inbox goes on, as for a file held whole; one whose move is owed is not
    archived again."""
    at = now.isoformat()
    moved = moved or taking.Mover(local, move=_dispose)
    owed = False
    if drop is local:
        sha = local.sha256("inbox", name)
        archived = archive_name(now.date(), sha, name)
        recorded = state.file_record(profile.id, sha)
        owed = not _receiving(recorded, name) and moved.owed(drop, state, profile.id, "intake", name, recorded)
        if not owed:  # one whose move is owed was archived by the run that took it (not once more each night)
            if local.stat("archive", archived) is None:
                if local.copy("inbox", name, "archive", archived) != sha:
                    raise TransientError("archived copy does not match the file", partner=profile.id, name=name)
            elif local.sha256("archive", archived) != sha:
                raise TransientError("archived copy does not match the file", partner=profile.id, name=name)
    else:
        try:
            sha, archived = _fetch_to_archive(profile, drop, local, name, size, now=now)
        except FileNotReady as exc:  # still being written, or gone: its spool is dropped, the next run lists it
            taking.log.warning("%s: %s left in the inbox for a later run: %s", profile.id, name, exc)
            return
        if _left_on_server(drop, state, profile.id, sha, name, partner=profile.id, stage="intake"):
            return
    res.files += 1
    faults.reached("after-archive")
    recorded = state.file_record(profile.id, sha)
    start = rows = part = errors = resumed_batches = 0
    if _receiving(recorded, name):
        resume = recorded["resume"]
        start, rows, part, errors, resumed_batches = (resume.at, resume.segments, resume.part,
                                                      recorded["error_count"], resume.batches)
    elif recorded is not None and recorded["disposed_at"] is None and recorded["name"] == name:
        disposition = "quarantine" if recorded["status"] == "quarantined" else "processed"  # finish its move
        if _dispose_archived(moved, drop, local, name, archived, disposition):
            state.mark_disposed(profile.id, sha, at)
            res.processed += disposition == "processed"
            res.quarantined += disposition == "quarantine"
        return
    elif owed:  # a duplicate reported before, left in an inbox that refused its move: only moved, not reported
        moved.duplicate(drop, state, profile.id, "intake", name, b"", reported=None)
        return
    elif recorded is not None:
        _duplicate(state, profile, res, name, recorded, run_id, sha)
        if drop is local:
            moved.duplicate(drop, state, profile.id, "intake", name, b"", reported=run_id)
        else:
            _dispose_archived(moved, drop, local, name, archived, "processed")
        return
    if profile.is_csv_file(name):
        _take_in_csv_streamed(profile, state, drop, local, store, name, size, res, sha=sha, archived=archived,
                              reference_dir=reference_dir,
                              render=render, now=now, run_id=run_id, keep=keep, moved=moved)
        return
    known = known_state(state, profile.id)
    mine_ic = state.file_interchanges(profile.id, sha)
    seen_any = start > 0

    def known_now() -> Known:
        return replace(known, interchanges=known.interchanges | mine_ic, this_file_interchanges=frozenset(mine_ic))

    def owners(outcome, interchanges: Callable[[], Sequence]) -> None:
        """Each PARTNER_SENDER_MISMATCH of ``outcome`` saying whose interchange it is, as a file read whole says
        (engine.process.owners_named; the other profiles read for it alone)."""
        if partners is not None and any(f.code == "PARTNER_SENDER_MISMATCH" for f in outcome.findings):
            outcome.findings = owners_named(outcome.findings, interchanges(), partners())

    def commit(outcome, offset: int, rows_after: int, done: int = 0) -> None:
        """The outcome of a piece (or a batch) stored with the file's progress: where the next one starts,
        the file's segments before it, parts and errors so far, batches done of an interchange read in
        batches (a rerun reads its envelope again and goes on after them)."""
        nonlocal errors, part
        if keep is not None:
            keep()  # the partner's lease, when sharded: a lost one stops before this piece is stored
        errors += outcome.error_count
        plan, applied = _plan_and_store(profile, state, store, outcome, render=render, now=now, run_id=run_id,
                                        reference_dir=reference_dir, name=name, part=part, messages_dir=messages_dir,
                                        kept_root=kept_root,
                                        record=dict(size=size, status=RECEIVING, archive_path=archived,
                                                    error_count=errors,
                                                    resume=FileResume(offset, rows_after, part + 1, done)))
        _count(res, outcome, plan, applied)
        mine_ic.update(outcome.interchanges_seen)
        part += 1

    def take_piece(data: bytes, oversized, offset: int) -> None:
        nonlocal rows, seen_any
        with timed("intake.check", profile.id):
            now_known = known_now()
            outcome = process_file(data, file=name, sha256=sha, profile=profile, today=now.date(), received_at=now,
                                   row_base=rows, oversized=oversized, file_size=size, known=now_known,
                                   agreed_currency=currency)
            again = with_earlier_acks(state, profile.id, now_known, outcome)
            if again is not None:  # an interchange seen before: told again knowing what acknowledgments it brought
                outcome = process_file(data, file=name, sha256=sha, profile=profile, today=now.date(),
                                       received_at=now, row_base=rows, oversized=oversized, file_size=size,
                                       known=again, agreed_currency=currency)
        rows += len(outcome.parse.segments)
        seen_any = seen_any or bool(outcome.parse.interchanges)
        owners(outcome, lambda: outcome.parse.interchanges)
        commit(outcome, offset, rows)

    for piece in x12_stream.pieces(local.chunks("archive", archived, start=start), max_bytes=PIECE_BYTES,
                                   max_set_bytes=profile.limits.max_set_bytes, max_interchange_bytes=SPLIT_BYTES):
        if resumed_batches and (not piece.span or piece.offset):
            raise TerminalError("a file read in batches cannot be taken up where it stopped (SPLIT_BYTES changed?)",
                                partner=profile.id, name=name)
        if not piece.span:
            take_piece(piece.data, piece.oversized, start + piece.end)
            del piece
            continue
        span_at, span_end = start + piece.offset, start + piece.end
        sk = x12_batches.scan_interchange(local.chunks("archive", archived, start=span_at, stop=span_end),
                                          max_bytes=BATCH_BYTES, max_sets=BATCH_SETS,
                                          max_set_bytes=profile.limits.max_set_bytes)
        if sk.reason and resumed_batches:
            raise TerminalError(f"a file read in batches cannot be taken up where it stopped ({sk.reason})",
                                partner=profile.id, name=name)
        if sk.reason:  # read whole, as before (a piece of whole interchanges, big set bodies left out)
            progress.report("intake", f"an interchange of {span_end - span_at:,} bytes read whole: {sk.reason}",
                            partner=profile.id)
            for sub in x12_stream.pieces(local.chunks("archive", archived, start=span_at, stop=span_end),
                                         max_bytes=PIECE_BYTES, max_set_bytes=profile.limits.max_set_bytes):
                take_piece(sub.data, sub.oversized, span_at + sub.end)
            continue
        seen_any = True
        rows_at, done, resumed = rows, 0, resumed_batches
        resumed_batches = 0
        batches = process_in_batches(sk, functools.partial(_read_span, local, archived, span_at), file=name,
                                     sha256=sha, profile=profile, known=span_known(state, profile.id, known_now(), sk),
                                     today=now.date(), received_at=now, row_base=rows_at, agreed_currency=currency)
        while True:
            with timed("intake.check", profile.id):
                item = next(batches, None)
            if item is None:
                break
            batch, outcome = item
            owners(outcome, lambda: x12_batches.read_head(sk, file=name).interchanges)  # noqa: B023 (called here, at once)
            done += 1
            last = batch is None or batch is sk.batches[-1]
            if done > resumed:  # batches a run that died committed are read again, not stored again
                commit(outcome, span_end if last else span_at, rows_at + sk.rows if last else rows_at,
                       0 if last else done)
            if batch is not None:
                progress.report("intake", f"an interchange of {sk.size:,} bytes in {len(sk.batches):,} batches: "
                                f"batch {done:,} ({batch.sets:,} sets) taken in", partner=profile.id)
            del outcome, item
        rows = rows_at + sk.rows
    disposition = "quarantine" if errors or not seen_any else "processed"
    state.record_file(profile.id, sha, name, size, at, "quarantined" if disposition == "quarantine" else "processed",
                      archive_path=archived, run_id=run_id, error_count=errors)
    faults.reached("after-intake-commit")
    if _dispose_archived(moved, drop, local, name, archived, disposition):
        state.mark_disposed(profile.id, sha, at)
    res.processed += disposition == "processed"
    res.quarantined += disposition == "quarantine"


def _receiving(recorded: dict | None, name: str) -> bool:
    """Whether ``recorded`` is this file's, part-way through being read in pieces (status ``receiving``, with its
    resume point)."""
    return (recorded is not None and recorded["name"] == name and recorded["status"] == RECEIVING
            and recorded["resume"] is not None)


def _read_span(local: LocalDrop, archived: str, at: int, start: int, end: int) -> bytes:
    """Bytes [start, end) of the interchange at byte ``at`` of an archived file."""
    return local.read_range("archive", archived, at + start, at + end)


def _take_in_csv_streamed(profile: PartnerProfile, state: StateStore, drop: FileDrop, local: LocalDrop,
                          store: OrderStore, name: str, size: int, res: PartnerResult, *, sha: str, archived: str,
                          render, now: datetime, run_id: str, keep: Callable[[], None] | None = None,
                          reference_dir: Path | None = None, moved: taking.Mover) -> None:
    """A CSV order file too large to hold, archived: read from the archive in batches of rows
    (parsers.csv_orders; the same orders, lineage and findings as a whole read) and stored in one
    transaction as a whole file's outcome is, then moved (``keep``: the lease renewed before storing;
    ``moved``: a move a local inbox refuses is owed to the next run)."""
    with timed("intake.check", profile.id):
        outcome = process_csv_file(local.chunks("archive", archived), file=name, sha256=sha, profile=profile)
    if keep is not None:
        keep()
    plan, applied = _plan_and_store(profile, state, store, outcome, render=render, now=now, run_id=run_id, name=name,
                                    reference_dir=reference_dir,
                                    record=dict(size=size, archive_path=archived, error_count=outcome.error_count,
                                                status="quarantined" if outcome.disposition == "quarantine"
                                                else "processed"))
    faults.reached("after-intake-commit")
    _count(res, outcome, plan, applied)
    if _dispose_archived(moved, drop, local, name, archived, outcome.disposition):
        state.mark_disposed(profile.id, sha, now.isoformat())
    res.processed += outcome.disposition == "processed"
    res.quarantined += outcome.disposition == "quarantine"


def _fetch_to_archive(profile: PartnerProfile, drop: FileDrop, local: LocalDrop, name: str, size: int, *,
                      now: datetime) -> tuple[str, str]:
    """A remote drop's file downloaded a chunk at a time into a hidden spool file of the local archive
    (hashed as it arrives, never whole in memory), then renamed to its archive name (or dropped when
    that copy exists and matches). Its sha256 and archive name."""
    download = getattr(drop, "download", None)

    def fill(sink) -> None:
        if download is not None:
            download("inbox", name, sink, expected_size=size)
        else:  # a drop that can only read whole files (held once, as its read path would)
            sink.write(drop.read("inbox", name, expected_size=size))

    spooled = local.spool("archive", fill)
    archived = archive_name(now.date(), spooled.sha256, name)
    if local.stat("archive", archived) is None:
        local.place_spooled(spooled, archived)
    else:
        local.drop_spooled(spooled)
        if local.sha256("archive", archived) != spooled.sha256:
            raise TransientError("archived copy does not match the download", partner=profile.id, name=name)
    return spooled.sha256, archived


def _dispose_archived(moved: taking.Mover, drop: FileDrop, local: LocalDrop, name: str, archived: str,
                      disposition: str) -> bool:
    """`_dispose` for a file never held in memory: a local drop's is moved (by ``moved``: False when the inbox
    refused the move, owed to the next run); a remote drop's local copy in processed/ or quarantine/ is copied
    from its archive a chunk at a time, then it is moved on its server. True once moved."""
    if drop is local:
        return moved(drop, name, b"", disposition)
    local.copy_new("archive", archived, "quarantine" if disposition == "quarantine" else "processed", name)
    drop.move("inbox", name, "processed")
    return True


def _take_in_unread(profile: PartnerProfile, state: StateStore, drop: FileDrop, local: LocalDrop, name: str,
                    over: Finding, res: PartnerResult, *, now: datetime, run_id: str,
                    moved: taking.Mover | None = None) -> None:
    """A file over the partner's size budget: from a local drop it is archived and quarantined by
    streaming copies (never held in memory), recorded with its FILE_TOO_LARGE finding in one
    transaction, its move replayed after a crash like any file's; a remote drop's is left on its
    server unread, and reported each run until it is removed. ``moved`` (the partner's flows.taking.Mover): a
    local inbox refusing the move leaves the file with its move owed, and the rest of the inbox goes on."""
    res.files += 1
    moved = moved or taking.Mover(local, move=_dispose)
    if drop is not local:
        state.apply(lifecycle.plan_file_findings([over], partner=profile.id, consequence="left on the server, unread"),
                    run_id=run_id)
        res.findings.append(_row(over, profile.id))
        res.errors += 1
        return
    at = now.isoformat()
    sha = local.sha256("inbox", name)
    recorded = state.file_record(profile.id, sha)
    disposition = "quarantine"
    if recorded is None:
        archived = f"{now:%Y%m%d}-{sha[:12]}-{name}"
        if local.stat("archive", archived) is None and local.copy("inbox", name, "archive", archived) != sha:
            raise TransientError("archived copy does not match the file", partner=profile.id, name=name)
        faults.reached("after-archive")
        with state.transaction():
            state.apply(lifecycle.plan_file_findings([over], partner=profile.id, consequence="file quarantined unread"),
                        run_id=run_id)
            state.record_file(profile.id, sha, name, local.stat("inbox", name).size, at, "quarantined",
                              archive_path=archived, run_id=run_id, error_count=1)
        faults.reached("after-intake-commit")
        res.findings.append(_row(over, profile.id))
        res.errors += 1
    elif recorded["disposed_at"] is not None or recorded["name"] != name:
        if not moved.owed(drop, state, profile.id, "intake", name, recorded):
            _duplicate(state, profile, res, name, recorded, run_id, sha)
            moved.duplicate(drop, state, profile.id, "intake", name, b"", reported=run_id)
        else:  # reported before, left in an inbox that refused its move: only moved, not reported again
            moved.duplicate(drop, state, profile.id, "intake", name, b"", reported=None)
        return
    if moved(drop, name, b"", disposition):  # a local drop: the file is moved, never read
        state.mark_disposed(profile.id, sha, at)
        res.quarantined += 1


def _duplicate(state: StateStore, profile: PartnerProfile, res, name: str, recorded: dict, run_id: str,
               sha256: str) -> None:
    """A file whose content was taken before: FILE_DUPLICATE recorded (nothing is sent again) and counted."""
    dup = finding("FILE_DUPLICATE", f"{name} has the same content as a file already {recorded['status']}"
                  f" ({recorded['name']}); nothing was sent again." + retake.duplicate_hint(
                      state, profile.id, sha256, f"orderbridge retake {recorded['name']} --partner {profile.id}"),
                  file=name)
    state.apply(lifecycle.plan_file_findings([dup], partner=profile.id, consequence=DUPLICATE_CONSEQUENCE),
                run_id=run_id)
    res.findings.append(_row(dup, profile.id))
    res.duplicates += 1
    res.warnings += 1


def _row(f: Finding, partner: str) -> dict:
    row = f.to_dict()
    row["partner"] = partner
    return row


def _report_outside_inbox(state: StateStore, local: LocalDrop, res: PartnerResult, *, run_id: str) -> None:
    """One error finding (recorded, and a report row) per file put in drop/<partner>/ itself, not its inbox/:
    never read, never moved; reported each run while it stays."""
    stray = taking.outside_inbox(local)
    if stray:
        state.apply(lifecycle.plan_file_findings(stray, partner=res.partner, consequence="file left outside the "
                                                 "inbox"), run_id=run_id)
        res.findings.extend(_row(f, res.partner) for f in stray)
        res.errors += len(stray)


def _report_refusals(state: StateStore, drop: FileDrop, res: PartnerResult, *, run_id: str) -> None:
    """One error finding (recorded, and a report row) per inbox entry the drop will never read; it
    stays there."""
    refused = taking.refusals(drop)
    if refused:
        state.apply(lifecycle.plan_file_findings(refused, partner=res.partner, consequence="file left in the inbox"),
                    run_id=run_id)
        res.findings.extend(_row(f, res.partner) for f in refused)
        res.errors += len(refused)
