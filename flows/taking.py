"""Taking files from a drop's inbox, the same for a partner's orders (flows.intake) and a warehouse's
shipment confirmations (flows.shipments), whether the drop is a local folder or an SFTP server:

  read_listed     a listed file's bytes, or None when it changed or vanished since it was listed (an
                  upload still being written, a partner's clean-up): left for the next run, the other
                  files go on
  left_on_server  a file taken before, still in an inbox we may not change (``leave_in_inbox``)
  refusals        the inbox entries the drop will never read (unsafe names, symlinks, devices)
  outside_inbox   the files put in the drop folder itself, not its inbox/ (never read there)
  dispose         the input to processed/ or quarantine/ (a local copy, and moved on its server)

No prefect here; nothing decides anything about EDI.
"""

from __future__ import annotations

import logging

from connectors.base import FileDrop, FileInfo
from connectors.local import LocalDrop
from connectors.state import StateStore
from schemas.errors import FileNotReady
from schemas.findings import Finding, finding

log = logging.getLogger(__name__)


def read_listed(drop: FileDrop, info: FileInfo, *, who: str) -> bytes | None:
    """The listed file's bytes, checked against its listed size (a file still being written is never
    taken half-written); None when it changed or vanished since it was listed (FileNotReady): it stays
    where it is for the next listing to decide. Any other error (the connection lost) is raised."""
    try:
        return drop.read("inbox", info.name, expected_size=info.size)
    except FileNotReady as exc:
        log.warning("%s: %s left in the inbox for a later run: %s", who, info.name, exc)
        return None


def left_on_server(drop: FileDrop, state: StateStore, key: str, sha: str, name: str, *,
                   partner: str | tuple[str, ...], stage: str) -> bool:
    """A file we took (and disposed of) before, still in an inbox we may not change (SFTP's
    ``leave_in_inbox``: the partner or 3PL removes it): passed over, not reported as a duplicate each
    run. So is a copy of it under another name (a resend) once its FILE_DUPLICATE was recorded
    (``partner`` and ``stage`` as that finding's). ``key`` is the `files` table's partner column (a
    partner's id, or a warehouse's files key); ``partner`` may name several (a warehouse's party, and
    the blank partner its findings had before)."""
    if not getattr(drop, "leaves_taken_files", False):
        return False
    recorded = state.file_record(key, sha)
    if recorded is None or recorded["disposed_at"] is None:
        return False
    if recorded["name"] == name:
        return True
    return any(state.file_finding_recorded(p, stage, "FILE_DUPLICATE", name)
               for p in ((partner,) if isinstance(partner, str) else partner))


def refusals(drop: FileDrop) -> list[Finding]:
    """One error finding per inbox entry the drop will never read (it stays there)."""
    return [finding(r.code, f"{r.name} was not read ({r.reason}); it stays in the inbox until it is renamed "
                    "or removed.", value=r.name) for r in drop.refused("inbox")]


def outside_inbox(local: LocalDrop) -> list[Finding]:
    """One error finding per file put in the drop folder itself instead of its inbox/ (it stays there)."""
    return [finding("FILE_OUTSIDE_INBOX", f"{name} is in {local.root} itself, not in its inbox/: it is never read "
                    "there; it stays where it is until it is moved into inbox/ (or removed).", value=name)
            for name in local.outside_inbox()]


def dispose(drop: FileDrop, local: LocalDrop, name: str, data: bytes, disposition: str) -> None:
    """The input to processed/ or quarantine/; an older file of the same name there is kept. A remote
    drop's file is written there from ``data`` and moved to its server's processed folder (deleted
    without one, left alone with ``leave_in_inbox``)."""
    folder = "quarantine" if disposition == "quarantine" else "processed"
    if drop is local:
        local.move_new("inbox", name, folder)
    else:
        local.write_new(folder, name, data)
        drop.move("inbox", name, "processed")
