"""Whose drop each interchange of a VAN mailbox file goes to: the one partner whose profile sends from its
ISA05/ISA06 (and, when several do, the one it is addressed to by ISA07/ISA08), with the name that keeps its
lineage; an interchange no profile owns, or one owned by a partner whose drop is not a local folder, is
unrouted with a finding that says why. Pure: pieces and profiles in, routes out; no paths, no I/O."""

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
    ``name`` with ``finding`` saying why."""

    piece: Piece
    partner: str
    name: str
    finding: Finding | None = None


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


def route(mailbox_file: str, pieces: Sequence[Piece], profiles: Mapping[str, PartnerProfile]) -> list[Route]:
    """Each piece's route (see the module): to its one owner with a local drop, else to quarantine with a
    MAILBOX_INTERCHANGE_UNROUTED finding (file, ISA13 and the sender as its location)."""
    out = []
    for piece in pieces:
        name = piece_name(mailbox_file, piece, len(pieces))
        found = owners(piece, profiles)
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
        elif profiles[found[0]].drop.kind != "local":
            why = (f"it is partner {found[0]}'s, whose drop is on SFTP: the mailbox routes into local drops only; "
                   f"copy it to that partner's server inbox")
        if why:
            f = finding("MAILBOX_INTERCHANGE_UNROUTED",
                        f"Interchange {piece.place} of {len(pieces)} in mailbox file {mailbox_file} (ISA13 "
                        f"{piece.control or '?'}) was not routed: {why}. It is kept as mailbox/quarantine/{name}; "
                        "nothing of it was answered.",
                        file=mailbox_file, isa13=piece.control, seg="ISA", element="ISA06", value=piece.sender)
            out.append(Route(piece, "", name, f))
        else:
            out.append(Route(piece, found[0], name))
    return out


def gap_findings(mailbox_file: str, gaps: Sequence, pieces: Sequence[Piece]) -> list[Finding]:
    """A MAILBOX_TEXT_SKIPPED warning per stretch of the file outside every interchange that holds more than
    padding (a `$$ADD` header, a mailbag's IMC): sent to no partner, kept in the archived mailbox file."""
    where = {0: "before the first interchange"}
    out = []
    for g in gaps:
        before = [p.place for p in pieces if p.end <= g.start]
        at = where[0] if not before else (f"after interchange {before[-1]}" if before[-1] == len(pieces)
                                          else f"between interchanges {before[-1]} and {before[-1] + 1}")
        text = g.text if len(g.text) <= 80 else g.text[:77] + "..."
        out.append(finding("MAILBOX_TEXT_SKIPPED", f"Mailbox file {mailbox_file}: {len(g.text)} character(s) "
                           f"{at} (bytes {g.start}..{g.end}) are no interchange; sent to no partner, kept in the "
                           "archived mailbox file.", file=mailbox_file, value=text))
    return out
