"""Whose drop each interchange of a VAN mailbox file goes to: the one partner whose profile sends from its
ISA05/ISA06 (and, when several do, the one it is addressed to by ISA07/ISA08), with the name that keeps its
lineage (a partner whose drop is on SFTP included: the flow hands it to the local inbox beside that drop, which
its intake takes with the server's); an interchange no profile owns is unrouted with a finding that says why.
One that may be a partner's whose profile does not load (its TOML names the sender, or cannot be read) is held,
with a finding naming that profile and its error, until a run where it loads. Pure: pieces, profiles and the
broken profiles' claims in, routes out; no paths, no I/O."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from parsers.x12_mailbox import Piece
from schemas.findings import Finding, finding
from schemas.profile import PartnerProfile

MAX_NAME_BYTES = 200  # a piece's name: the mailbox file's shortened to fit (ext4, XFS, SFTP servers: 255 bytes)


@dataclass(frozen=True, slots=True)
class Route:
    """Where ``piece`` goes: ``partner``'s inbox under ``name``, or (partner "") the mailbox's quarantine under
    ``name`` with ``finding`` saying why; ``held``: the partners whose profile does not load that may own it
    (kept for a retake once they load); ``owner``: the one partner whose interchange it is, when one is (the
    finding is counted in that partner's row; else in the mailbox's)."""

    piece: Piece
    partner: str
    name: str
    finding: Finding | None = None
    held: tuple[str, ...] = ()
    owner: str = ""


@dataclass(frozen=True, slots=True)
class Broken:
    """A partner whose profile does not load: its file's name, the loader's reason, and the ids its TOML names
    (schemas.profile.claimed_ids: senders, our ids it writes to); ``senders`` None when they cannot be read."""

    partner: str
    file: str
    reason: str
    senders: frozenset[tuple[str, str]] | None = None
    ours: frozenset[tuple[str, str]] = frozenset()

    def may_send(self, piece: Piece) -> bool:
        return self.senders is None or (piece.sender_qualifier, piece.sender) in self.senders

    def may_write_to(self, piece: Piece) -> bool:
        return not self.ours or (piece.receiver_qualifier, piece.receiver) in self.ours


def piece_name(mailbox_file: str, piece: Piece, count: int) -> str:
    """``<mailbox file>.ic<place of count>.<ISA13>.x12``: the mailbox file's name and the interchange's place in
    it (and its control number, for people), e.g. `van-1207.edi.ic2of3.000000712.x12`."""
    control = "".join(c for c in piece.control if c.isalnum())[:15] or "noisa13"
    tail = f".ic{piece.place}of{count}.{control}.x12"
    head = mailbox_file
    while len((head + tail).encode()) > MAX_NAME_BYTES:  # a file system's 255-byte names, with room to spare
        head = head[:-1]
    return head + tail


def owners(piece: Piece, profiles: Mapping[str, PartnerProfile]) -> list[str]:
    """The X12 partners whose profile takes ``piece``: those sending from its ISA05/ISA06; of several, those it is
    addressed to (ISA07/ISA08), when that narrows them."""
    senders = sorted(pid for pid, p in profiles.items() if p.x12 is not None and piece.sender
                     and p.x12.sends_from(piece.sender_qualifier, piece.sender))
    # a profile whose orders another carries on ([continues]) answers under that one's ids: what comes from them is
    # the continuer's
    senders = [pid for pid in senders if profiles[pid].continued_by not in senders]
    if len(senders) > 1:
        to_us = [pid for pid in senders if profiles[pid].x12.writes_to(piece.receiver_qualifier, piece.receiver)]
        return to_us or senders
    return senders


def held_for(piece: Piece, found: Sequence[str], profiles: Mapping[str, PartnerProfile],
             broken: Mapping[str, Broken]) -> list[str]:
    """The partners whose profile does not load that may own ``piece``: those whose TOML names its sender (or
    cannot be read, when no profile that loads owns it), narrowed as owners() narrows by ISA07/ISA08 when a
    profile that loads sends from it too."""
    maybe = sorted(pid for pid, b in broken.items() if (b.senders is not None or not found) and b.may_send(piece))
    if maybe and found:
        every = [*found, *maybe]
        to_us = [pid for pid in found if profiles[pid].x12.writes_to(piece.receiver_qualifier, piece.receiver)]
        to_us += [pid for pid in maybe if broken[pid].may_write_to(piece)]
        if to_us and len(to_us) < len(every):
            return [pid for pid in maybe if pid in to_us]
    return maybe


def route(mailbox_file: str, pieces: Sequence[Piece], profiles: Mapping[str, PartnerProfile],
          broken: Mapping[str, Broken] | None = None) -> list[Route]:
    """Each piece's route (see the module): to its one owner, else to quarantine with a
    MAILBOX_INTERCHANGE_UNROUTED finding (file, ISA13 and the sender as its location); held with a
    MAILBOX_INTERCHANGE_HELD finding when a partner whose profile does not load (``broken``) may own it."""
    return [route_piece(mailbox_file, piece, len(pieces), piece_name(mailbox_file, piece, len(pieces)), profiles,
                        broken or {}) for piece in pieces]


def route_piece(mailbox_file: str, piece: Piece, count: int, name: str, profiles: Mapping[str, PartnerProfile],
                broken: Mapping[str, Broken]) -> Route:
    """One piece's route (route's), ``name`` its name wherever it goes (a held piece retaken keeps its own)."""
    found = owners(piece, profiles)
    held = held_for(piece, found, profiles, broken) if piece.sender else []
    if held:
        return Route(piece, "", name, held_finding(mailbox_file, piece, count, name, found,
                                                   [broken[pid] for pid in held]), tuple(held),
                     held[0] if len(held) == 1 and not found else "")
    why = ""
    if not piece.sender:
        why = "its ISA header cannot be read (not 106 characters with 16 elements), so its sender is unknown"
    elif not found:
        why = (f"no partner profile sends from {piece.sender_qualifier}/{piece.sender} (ISA05/ISA06; to "
               f"{piece.receiver_qualifier}/{piece.receiver}): add that partner's profile, or its id to the "
               "right profile's [x12] their_ids")
    elif len(found) > 1:
        why = (f"the profiles of {' and '.join(found)} all send from {piece.sender_qualifier}/{piece.sender} to "
               f"{piece.receiver_qualifier}/{piece.receiver}: which partner it is cannot be told")
    if not why:
        return Route(piece, found[0], name)
    f = finding("MAILBOX_INTERCHANGE_UNROUTED",
                f"Interchange {piece.place} of {count} in mailbox file {mailbox_file} (ISA13 "
                f"{piece.control or '?'}) was not routed: {why}. It is kept as mailbox/quarantine/{name}; "
                "nothing of it was answered.",
                file=mailbox_file, isa13=piece.control, seg="ISA", element="ISA06", value=piece.sender)
    return Route(piece, "", name, f, owner=found[0] if len(found) == 1 else "")


def held_finding(mailbox_file: str, piece: Piece, count: int, name: str, found: Sequence[str],
                 held: Sequence[Broken]) -> Finding:
    """MAILBOX_INTERCHANGE_HELD: the interchange kept for the partner(s) whose profile does not load, each named
    with its file and error."""
    sender = f"{piece.sender_qualifier}/{piece.sender}"
    whose = "; ".join(f"partner {b.partner}'s profile {b.file} does not load ({b.reason})"
                      + ("" if b.senders is not None else ": its ids cannot be read, so it may be its") for b in held)
    also = f" (the profile of {' and '.join(found)} sends from it too)" if found else ""
    message = (f"Interchange {piece.place} of {count} in mailbox file {mailbox_file} (ISA13 {piece.control or '?'}, "
               f"from {sender}){also} was not routed: {whose}. It is kept as mailbox/quarantine/held/{name}, not "
               f"answered, and routed by the first run after the profile is fixed (`orderbridge partner check "
               f"{held[0].partner}`).")
    return finding("MAILBOX_INTERCHANGE_HELD", message, file=mailbox_file, isa13=piece.control, seg="ISA",
                   element="ISA06", value=piece.sender)


# what says how long a held interchange has waited when the run that held it is not on record (flows.mailbox)
STILL_SAID, HELD_COPY = "still said", "held copy"


def still_held_finding(piece: Piece, name: str, held: Sequence[Broken], since: str | None, days: int | None,
                       source: str = "") -> Finding:
    """MAILBOX_INTERCHANGE_STILL_HELD, a warning each run an interchange held before is still held: how long it has
    waited (``since``: the run clock's date when it was held, ``days`` to this run's; None when nothing on record
    dates it) and which profile, with its error tonight, keeps it. ``source``: what dated it when the run that held
    it is not on record: STILL_SAID (the first run that said it still held: at least that long), HELD_COPY (the
    day its held copy was written)."""
    whose = "; ".join(f"partner {b.partner}'s profile {b.file} still does not load ({b.reason})" for b in held)
    n = f"{days} day{'' if days == 1 else 's'}"
    gone = "the run that held it is not on record"
    if since is None:
        waited = f"has waited since an earlier run ({gone}, nor a date for it)"
    elif source == STILL_SAID:
        waited = f"has waited at least {n} (said still held first by the run of {since}; {gone})"
    elif source == HELD_COPY:
        waited = f"has waited {n} (its held copy dates from {since}; {gone})"
    else:
        waited = f"has waited {n} (held by the run of {since})"
    message = (f"Interchange {name} (ISA13 {piece.control or '?'}, from {piece.sender_qualifier}/{piece.sender}) in "
               f"mailbox/quarantine/held/ {waited}, unanswered: {whose}. Fix the profile (`orderbridge partner check "
               f"{held[0].partner}`): the first run after it loads routes and answers it.")
    return finding("MAILBOX_INTERCHANGE_STILL_HELD", message, file=name, isa13=piece.control, seg="ISA",
                   element="ISA06", value=piece.sender)


def gap_findings(mailbox_file: str, gaps: Sequence, pieces: Sequence[Piece]) -> list[Finding]:
    """A MAILBOX_TEXT_SKIPPED warning per stretch of the file outside every interchange that holds more than
    padding (a `$$ADD` header, a mailbag's IMC): sent to no partner, kept in the archived mailbox file."""
    out = []
    for g in gaps:
        before = [p.place for p in pieces if p.end <= g.start]
        out.append(gap_finding(mailbox_file, g, before[-1] if before else 0, len(pieces)))
    return out


def gap_finding(mailbox_file: str, g, before: int, count: int) -> Finding:
    """gap_findings' warning for one gap ``g`` after the ``before``-th of ``count`` interchanges (0: before the
    first), for a file read an interchange at a time."""
    at = "before the first interchange" if not before else (
        f"after interchange {before}" if before == count else f"between interchanges {before} and {before + 1}")
    text = g.text if len(g.text) <= 80 else g.text[:77] + "..."
    return finding("MAILBOX_TEXT_SKIPPED", f"Mailbox file {mailbox_file}: {len(g.text)} character(s) "
                   f"{at} (bytes {g.start}..{g.end}) are no interchange; sent to no partner, kept in the "
                   "archived mailbox file.", file=mailbox_file, value=text)
