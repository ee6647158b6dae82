"""The workspace's VAN mailbox (mailbox/inbox/ beside drop/): before intake, each file there is archived, cut into
its interchanges (parsers.x12_mailbox, bytes kept exactly) and each one written into its owner's drop inbox
(engine.mailbox.route) under a name that keeps its lineage (a partner whose drop is on SFTP included: its local
drop/<id>/inbox/ beside the server, which its intake takes first: flows.intake); an interchange no one partner
takes goes to mailbox/quarantine/ with an error finding (a failures-report row), text between interchanges is a
warning; the routes are written beside the file in mailbox/processed/ (<file>.routes.csv) and the file moved
there. A rerun after a crash writes nothing twice: a piece already in its inbox with the same bytes, or already
taken by its partner from this mailbox file, is left. Wiring only: nothing here decides anything about EDI."""

from __future__ import annotations

import csv
import hashlib
import io
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from connectors.base import FileDrop, bounded_name
from connectors.local import LocalDrop
from connectors.state import StateStore
from engine import lifecycle
from engine.mailbox import (
    Broken,
    Route,
    gap_finding,
    gap_findings,
    piece_name,
    route,
    route_piece,
    still_held_finding,
)
from flows import taking
from flows.intake import local_drops
from flows.workspace import BrokenProfile, Workspace
from parsers.x12_mailbox import Gap, split_interchanges, stream_interchanges
from schemas.errors import FileNotReady, StorageError
from schemas.findings import Finding
from schemas.profile import LocalDropSettings, PartnerProfile, claimed_ids

PARTY = "mailbox"  # the findings' partner column for what the mailbox itself reports
CONSEQUENCES = {"MAILBOX_INTERCHANGE_UNROUTED": "kept in mailbox/quarantine, not answered",
                "MAILBOX_INTERCHANGE_HELD": "kept in mailbox/quarantine/held, routed once the profile loads",
                "MAILBOX_INTERCHANGE_STILL_HELD": "still in mailbox/quarantine/held, routed once the profile loads",
                "MAILBOX_TEXT_SKIPPED": "sent to no partner, kept in mailbox/archive"}

# A mailbox file larger than this is pulled (a download spooled to disk) and split an interchange at a time
# (parsers.x12_mailbox.stream_interchanges, its bytes read CHUNK_BYTES at a time): what is held is the interchange
# being read, never the file (intake's own STREAM_BYTES)
STREAM_BYTES = 16_000_000
CHUNK_BYTES = 1 << 20


def mailbox_root(ws: Workspace) -> Path:
    return ws.root / "mailbox"


def sent_copies(ws: Workspace, partner: str) -> Path:
    """Where a copy of each file put in the VAN's outbound folder for ``partner`` (the profile delivered to: [delivery]
    via = "mailbox") is kept: mailbox/sent/<partner>/ (flows.documents.keep_copy). The VAN empties its folder as it
    takes the files; `state rebuild` reads these back as it reads a partner's outbox (flows.rebuild._sent_files)."""
    return mailbox_root(ws) / "sent" / partner


@dataclass
class MailboxResult:
    files: int = 0
    routed: dict[str, int] = field(default_factory=dict)  # partner -> interchanges written to its inbox
    unrouted: int = 0
    held: int = 0  # interchanges held for a partner whose profile does not load
    retaken: int = 0  # interchanges held before, routed now that their partner's profile loads
    still_held: int = 0  # interchanges held on an earlier run, still held (a warning each run)
    held_since: str = ""  # the earliest day one of them was held
    findings: list[dict] = field(default_factory=list)


@dataclass
class Pulled:
    """What one pull of the VAN's SFTP mailbox did: files put in mailbox/inbox/ (``names``, as named there),
    files taken before and only removed (or left) on the server (``again``)."""

    names: list[str] = field(default_factory=list)
    again: list[str] = field(default_factory=list)
    findings: list[dict] = field(default_factory=list)


def pull_mailbox(ws: Workspace, remote: FileDrop, state: StateStore, *, run_id: str) -> Pulled:
    """Every settled file of the VAN's server inbox put in mailbox/inbox/ (see the module): kept locally, fsynced,
    then moved off the server (``remote.move``: to its processed folder, deleted, or left as its settings say).
    Entries the server lists that are never read (unsafe names, symlinks) are error findings, left there. Any
    connection or server error is raised (the night says it; what was pulled before is split)."""
    res = Pulled()
    box = _mailbox_drop(mailbox_root(ws), ws.mailbox_drop.local)
    _record(state, taking.refusals(remote), run_id, res.findings)
    for info in remote.list("inbox"):
        if info.size > STREAM_BYTES and hasattr(remote, "download"):
            if not _pull_streamed(box, remote, info, res):
                continue
        else:
            data = taking.read_listed(remote, info, who=PARTY)
            if data is None:
                continue
            sha = hashlib.sha256(data).hexdigest()
            name = local_name(box, info.name, sha)
            if _taken_before(box, name, sha):
                res.again.append(name)
            else:
                if not _holds(box, "archive", name, sha):
                    box.write("archive", name, data)  # the name is free or holds these bytes: local_name
                    box.sync("archive")
                if not _holds(box, "inbox", name, sha):
                    box.write("inbox", name, data)
                    box.sync("inbox")
                res.names.append(name)
        remote.move("inbox", info.name, "processed")  # only now: both local copies are on disk
    return res


def _pull_streamed(box: LocalDrop, remote: FileDrop, info, res: Pulled) -> bool:
    """pull_mailbox's keeping of a file too large to hold (over STREAM_BYTES): downloaded a chunk at a time into a
    hidden spool file of mailbox/archive/ (hashed as it arrives, fsynced), which is then renamed to its local name
    (or dropped: those bytes are kept there already), copied to mailbox/inbox/ a chunk at a time (a hidden name,
    fsynced, renamed). False when the file changed or vanished while it was read (left for a later run)."""
    try:
        spooled = box.spool("archive", lambda sink: remote.download("inbox", info.name, sink,
                                                                    expected_size=info.size))
    except FileNotReady as exc:
        taking.log.warning("%s: %s left in the inbox for a later run: %s", PARTY, info.name, exc)
        return False
    sha = spooled.sha256
    try:
        name = local_name(box, info.name, sha)
    except BaseException:
        box.drop_spooled(spooled)
        raise
    if _taken_before(box, name, sha):
        box.drop_spooled(spooled)
        res.again.append(name)
        return True
    if _holds(box, "archive", name, sha):
        box.drop_spooled(spooled)
    else:
        box.place_spooled(spooled, name)  # the name is free or holds these bytes: local_name
        box.sync("archive")
    if not _holds(box, "inbox", name, sha):
        box.copy("archive", name, "inbox", name)
        box.sync("inbox")
    res.names.append(name)
    return True


def local_name(box: LocalDrop, name: str, sha: str) -> str:
    """The name a pulled file has in mailbox/ (inbox, archive): its server name, unless another file of that
    name is in the archive or inbox (a VAN naming every day's download alike), then the name with the first 12
    hex digits of its SHA-256 (``mbx-3f2a9c01d4e5.edi``): the same file always gets the same name, so a rerun
    finds it."""
    if all(box.stat(f, name) is None or box.sha256(f, name) == sha for f in ("archive", "inbox")):
        return name
    stem, dot, ext = name.rpartition(".")
    if not stem or len(ext) > 10:
        stem, dot, ext = name, "", ""
    tagged = bounded_name(stem, suffix=f"-{sha[:12]}{dot}{ext}")
    if not all(box.stat(f, tagged) is None or box.sha256(f, tagged) == sha for f in ("archive", "inbox")):
        raise StorageError(f"mailbox/archive/{tagged} holds another file: the pulled {name} cannot be kept",
                           name=name)
    return tagged


def _holds(box: LocalDrop, folder: str, name: str, sha: str) -> bool:
    return box.stat(folder, name) is not None and box.sha256(folder, name) == sha


def _taken_before(box: LocalDrop, name: str, sha: str) -> bool:
    """The pulled file is in the archive with these bytes and was split (its routes written in processed/) or
    waits in the inbox to be: pulled before, its removal from the server (or the server's clean-up) owed."""
    return _holds(box, "archive", name, sha) and (box.stat("processed", f"{name}.routes.csv") is not None
                                                  or _holds(box, "inbox", name, sha))


def split_mailbox(ws: Workspace, profiles: dict[str, PartnerProfile], state: StateStore, *, run_id: str,
                  now: datetime, drop: Callable[[Path], LocalDrop] | None = None,
                  broken: Mapping[str, BrokenProfile] | None = None) -> MailboxResult:
    """Every settled file of mailbox/inbox/ routed into the partners' inboxes (see the module); nothing when the
    workspace has no mailbox/inbox/ folder. ``drop``: the mailbox folder's LocalDrop (tests inject its clock).
    ``broken``: the partners whose profile does not load (Workspace.partners_apart): an interchange that may be
    one of theirs is held in mailbox/quarantine/held/ (MAILBOX_INTERCHANGE_HELD, under that partner), and those
    held before are routed first once their profile loads."""
    res = MailboxResult()
    if not (mailbox_root(ws) / "inbox").is_dir():
        return res
    box = drop(mailbox_root(ws)) if drop else _mailbox_drop(mailbox_root(ws), _ready_rule(ws))
    drops = local_drops(ws)
    claims = _claims(broken or {})
    _retake_held(box, drops, profiles, claims, state, run_id, res, now)
    _record(state, taking.refusals(box), run_id, res.findings)  # unsafe names, symlinks: never read, left
    for info in box.list("inbox"):
        if info.size > STREAM_BYTES:
            _split_streamed(box, info, drops, profiles, claims, state, run_id, res)
            continue
        data = taking.read_listed(box, info, who=PARTY)
        if data is None:
            continue
        res.files += 1
        sha = hashlib.sha256(data).hexdigest()
        archived = _archive(box, info.name, data, sha)
        split = split_interchanges(data)
        routes = route(info.name, split.pieces, profiles, claims)
        rows = []
        for r in routes:
            piece = data[r.piece.start: r.piece.end]
            piece_sha = hashlib.sha256(piece).hexdigest()
            rows.append(_route_row(r, _put(box, drops, profiles, state, r, piece, piece_sha, res), piece_sha))
        found = [r.finding for r in routes if r.finding and not r.owner] + gap_findings(info.name, split.gaps,
                                                                                        split.pieces)
        if not split.pieces:
            found.append(_no_interchange(info.name))
        _record(state, found, run_id, res.findings)
        _record_owned([r for r in routes if r.finding and r.owner], state, run_id, res.findings)
        box.write("processed", f"{archived}.routes.csv", _manifest(info.name, sha, archived, rows))
        box.move_new("inbox", info.name, "processed")
    return res



def _split_streamed(box: LocalDrop, info, drops, profiles: Mapping[str, PartnerProfile], claims: Mapping[str, Broken],
                    state: StateStore, run_id: str, res: MailboxResult) -> None:
    """A mailbox file too large to hold, split as split_mailbox splits one read whole (the same pieces, names,
    findings and routes file, byte for byte), never whole in memory: hashed and archived by a streaming copy, read
    once to count its interchanges (a piece's name says "of M"), then again to route each as it comes, its row of
    the routes file written to a spool file as it goes (placed once every piece is placed and the findings are
    recorded, as the whole read writes it then)."""
    name = info.name
    here = box.stat("inbox", name)
    if here is None or here.size != info.size:  # changed or gone since it was listed: left for a later run
        return
    res.files += 1
    sha = box.sha256("inbox", name)
    archived = name if _holds(box, "archive", name, sha) else box.copy_new("inbox", name, "archive", name)
    count = sum(isinstance(x, tuple) for x in stream_interchanges(box.chunks("inbox", name, size=CHUNK_BYTES)))
    unrouted: list[Finding] = []
    owned: list[Route] = []
    gaps: list[Finding] = []

    def fill(sink) -> None:
        seen = 0
        sink.write(_csv_line(MANIFEST_COLUMNS))
        for x in stream_interchanges(box.chunks("inbox", name, size=CHUNK_BYTES)):
            if isinstance(x, Gap):
                gaps.append(gap_finding(name, x, seen, count))
                continue
            piece, data = x
            seen = piece.place
            r = route_piece(name, piece, count, piece_name(name, piece, count), profiles, claims)
            piece_sha = hashlib.sha256(data).hexdigest()
            row = _route_row(r, _put(box, drops, profiles, state, r, data, piece_sha, res), piece_sha)
            sink.write(_csv_line([name, sha, f"mailbox/archive/{archived}", *row]))
            if r.finding:
                (owned.append(r) if r.owner else unrouted.append(r.finding))

    spooled = box.spool("processed", fill)
    try:
        _record(state, unrouted + gaps + ([] if count else [_no_interchange(name)]), run_id, res.findings)
        _record_owned(owned, state, run_id, res.findings)
    except BaseException:
        box.drop_spooled(spooled)
        raise
    box.place_spooled(spooled, f"{archived}.routes.csv")
    box.move_new("inbox", name, "processed")


def _route_row(r: Route, where: str, piece_sha: str) -> list:
    """One interchange's row of the routes file (after the mailbox file's own columns)."""
    return [r.piece.place, r.piece.start, r.piece.end, r.piece.sender_qualifier, r.piece.sender,
            r.piece.receiver_qualifier, r.piece.receiver, r.piece.control,
            r.partner or (f"(held for {' or '.join(r.held)})" if r.held else "(unrouted)"), where, piece_sha]


HELD = "quarantine/held"  # mailbox/quarantine/held/: interchanges waiting for a partner's profile to load


def _put(box: LocalDrop, drops, profiles: Mapping[str, PartnerProfile], state: StateStore, r: Route, piece: bytes,
         piece_sha: str, res: MailboxResult) -> str:
    """The piece where its route says (its partner's inbox, the held folder, the quarantine); where, for the
    routes file."""
    if r.partner:
        placed = _place(drops(profiles[r.partner]), state, r.partner, r.name, piece, piece_sha)
        res.routed[r.partner] = res.routed.get(r.partner, 0) + 1
        return f"drop/{r.partner}/inbox/{placed}"
    if r.held:
        res.held += 1
        return f"mailbox/{HELD}/{_place_in(box, HELD, r.name, piece, piece_sha)}"
    res.unrouted += 1
    return f"mailbox/quarantine/{_place_in(box, 'quarantine', r.name, piece, piece_sha)}"


def _retake_held(box: LocalDrop, drops, profiles: Mapping[str, PartnerProfile], claims: Mapping[str, Broken],
                 state: StateStore, run_id: str, res: MailboxResult, now: datetime) -> None:
    """Each interchange held for a profile that did not load routed again: into its partner's inbox once that
    profile loads (the held copy then moved to mailbox/processed/), to the quarantine if it now belongs to no
    one (its finding then), else left held: said again, a MAILBOX_INTERCHANGE_STILL_HELD warning naming how long
    it has waited (from the run that held it: its MAILBOX_INTERCHANGE_HELD on record) and the profile's error
    tonight, under the partner it is held for, every run but the one that held it. A rerun after a crash places
    nothing twice: the piece already in the inbox, or taken by its partner under its name, is left."""
    if not (box.root / HELD).is_dir():
        return
    for info in LocalDrop(box.root, create=False).list(HELD):  # our own writes, whole: no settle wait
        data = box.read(HELD, info.name)
        pieces = split_interchanges(data).pieces
        if len(pieces) != 1:
            continue  # not one of ours (a person put it there): left as it is
        r = route_piece(info.name, pieces[0], 1, info.name, profiles, claims)
        if r.held:
            _still_held(state, r, run_id, now, [claims[pid] for pid in r.held], res, written=info.mtime)
            continue
        _put(box, drops, profiles, state, r, data, hashlib.sha256(data).hexdigest(), res)
        if r.partner:
            res.retaken += 1
        else:
            _record(state, [r.finding], run_id, res.findings, r.owner or PARTY)
        box.move_new(HELD, info.name, "processed")


def _still_held(state: StateStore, r: Route, run_id: str, now: datetime, held: list[Broken],
                res: MailboxResult, *, written: float | None = None) -> None:
    """The warning that a piece held on an earlier run is still held (none on the run that held it: a rerun). How
    long it has waited: from the run that held it (its MAILBOX_INTERCHANGE_HELD on record); when that finding or its
    run is not on record (a store restored from a backup taken before, or rebuilt), from the earliest of what is
    left: the first run that said it still held, and the day its held copy was written (``written``, its mtime:
    never a day after the run's clock)."""
    first = state.first_said("MAILBOX_INTERCHANGE_HELD", r.piece.control, f"mailbox/{HELD}/{r.name},")
    if first is not None and first[0] == run_id:
        return
    since = first[1][:10] if first is not None and first[1] else None
    source = ""
    if since is None:
        since, source = _held_since(state, r, run_id, now, written)
    days = (now.date() - date.fromisoformat(since)).days if since is not None else None
    _record(state, [still_held_finding(r.piece, r.name, held, since, days, source)], run_id, res.findings,
            r.owner or PARTY)
    res.still_held += 1
    if since is not None and (not res.held_since or since < res.held_since):
        res.held_since = since


def _held_since(state: StateStore, r: Route, run_id: str, now: datetime, written: float | None
                ) -> tuple[str | None, str]:
    """The earliest day a held piece is known held when the run that held it is not on record, and what says so
    (engine.mailbox.STILL_SAID: an earlier run's MAILBOX_INTERCHANGE_STILL_HELD; HELD_COPY: the held copy's date);
    (None, "") when neither is known."""
    from engine.mailbox import HELD_COPY, STILL_SAID

    known = []
    said = state.first_said("MAILBOX_INTERCHANGE_STILL_HELD", r.piece.control, f"Interchange {r.name} (")
    if said is not None and said[0] != run_id and said[1]:
        known.append((said[1][:10], STILL_SAID))
    if written is not None:
        day = datetime.fromtimestamp(written).date()
        if day <= now.date():
            known.append((day.isoformat(), HELD_COPY))
    return min(known) if known else (None, "")


def _claims(broken: Mapping[str, BrokenProfile]) -> dict[str, Broken]:
    """What each profile that does not load names as its ids (its TOML read raw: schemas.profile.claimed_ids;
    none readable: it may own any interchange no profile that loads takes). A partner with a drop but no
    profile file at all claims nothing."""
    out = {}
    for pid, b in broken.items():
        if not b.path.is_file():
            continue
        try:
            raw = tomllib.loads(b.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            raw = None
        ids = claimed_ids(raw)
        out[pid] = Broken(pid, b.path.name, b.reason, *(ids if ids else (None, frozenset())))
    return out


def _ready_rule(ws: Workspace) -> LocalDropSettings:
    """mailbox/inbox/'s ready rule: [mailbox.local]'s; none for a mailbox pulled from SFTP, whose files the pull
    put there whole (written under a hidden name, fsynced, renamed) after the server's own ready rule."""
    where = ws.mailbox_drop
    return where.local if where.kind == "local" else LocalDropSettings(settle_seconds=0)


def _mailbox_drop(root: Path, ready: LocalDropSettings) -> LocalDrop:
    """A local drop's "ready to read" rule (workspace.toml's [mailbox.local], else a partner's defaults): a file
    still being downloaded, or under a temporary name, is left for a later night."""
    return LocalDrop(root, settle_seconds=ready.settle_seconds, temp_suffixes=ready.temp_suffixes,
                     min_age_seconds=ready.min_age_seconds)


def _archive(box: LocalDrop, name: str, data: bytes, sha: str) -> str:
    """The mailbox file kept as received in mailbox/archive/ (once: a rerun after a crash finds it there)."""
    if box.stat("archive", name) is not None and box.sha256("archive", name) == sha:
        return name
    return box.write_new("archive", name, data)


def _place(drop: LocalDrop, state: StateStore, partner: str, name: str, piece: bytes, sha: str) -> str:
    """The piece in the partner's inbox as ``name``, unless it is there already (a rerun after a crash) or the
    partner took it from this very name before (the mailbox file left in its inbox by a move that failed)."""
    taken = state.file_record(partner, sha)
    if taken is not None and taken.get("name") == name:
        return name
    return _place_in(drop, "inbox", name, piece, sha)


def _place_in(drop: LocalDrop, folder: str, name: str, piece: bytes, sha: str) -> str:
    if drop.stat(folder, name) is not None and drop.sha256(folder, name) == sha:
        return name
    return drop.write_new(folder, name, piece)


def _no_interchange(name: str) -> Finding:
    from schemas.findings import finding

    return finding("MAILBOX_INTERCHANGE_UNROUTED", f"Mailbox file {name} holds no interchange (no ISA header): "
                   "nothing was routed; it is kept in mailbox/archive/ and mailbox/processed/.", file=name)


def _record(state: StateStore, found: list[Finding], run_id: str, rows: list[dict], party: str = PARTY) -> None:
    """The findings recorded for the run under ``party`` ("mailbox", or the partner an interchange is held for; a
    rerun after a crash records none twice)."""
    said = {(f["code"], f["file"], f["isa13"], f["message"]) for f in state.findings(run_id=run_id, partner=party)}
    new = [f for f in found if (f.code, f.location.file, f.location.isa13, f.message) not in said]
    for consequence in sorted({_consequence(f) for f in new}):
        these = [f for f in new if _consequence(f) == consequence]
        state.apply(lifecycle.plan_file_findings(these, partner=party, consequence=consequence), run_id=run_id)
    for f in found:
        row = f.to_dict()
        row["partner"] = party
        rows.append(row)


def _record_owned(owned: list[Route], state: StateStore, run_id: str, rows: list[dict]) -> None:
    """The finding of each interchange not routed that is one partner's (held for its broken profile) under that
    partner: counted in its row of the summary and its section of the failures report."""
    for r in owned:
        _record(state, [r.finding], run_id, rows, r.owner)


def _consequence(f: Finding) -> str:
    return CONSEQUENCES.get(f.code, "file left in mailbox/inbox")


MANIFEST_COLUMNS = ["mailbox_file", "mailbox_sha256", "archived_as", "place", "start", "end", "isa05", "isa06",
                    "isa07", "isa08", "isa13", "partner", "written_to", "sha256"]


def _manifest(name: str, sha: str, archived: str, rows: list[list]) -> bytes:
    return b"".join([_csv_line(MANIFEST_COLUMNS),
                     *(_csv_line([name, sha, f"mailbox/archive/{archived}", *r]) for r in rows)])


def _csv_line(values: list) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(values)
    return out.getvalue().encode()
