"""Taking files from a drop's inbox, the same for a partner's orders (flows.intake) and a warehouse's
shipment confirmations (flows.shipments), whether the drop is a local folder or an SFTP server:

  read_listed     a listed file's bytes, or None when it changed or vanished since it was listed (an
                  upload still being written, a partner's clean-up): left for the next run, the other
                  files go on
  left_on_server  a file taken before, still in an inbox we may not change (``leave_in_inbox``)
  refusals        the inbox entries the drop will never read (unsafe names, symlinks, devices)
  outside_inbox   the files put in the drop folder itself, not its inbox/ (never read there)
  dispose         the input to processed/ or quarantine/ (a local copy, and moved on its server)
  Mover           dispose, but a local inbox refusing the move (permission denied, read-only) leaves the file
                  taken, its move owed to the next run, and the rest of the inbox goes on; then one error
                  naming the folder and the files; a duplicate left so is reported once, not every run

No prefect here; nothing decides anything about EDI.
"""

from __future__ import annotations

import errno
import logging
from collections.abc import Callable

from connectors.base import FileDrop, FileInfo
from connectors.local import LocalDrop
from connectors.state import StateStore
from schemas.errors import FileNotReady, StorageError
from schemas.findings import MOVE_MADE, MOVE_REFUSED, Finding, finding

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


REFUSED_MOVE = (errno.EACCES, errno.EPERM, errno.EROFS)


class Mover:
    """Moves each taken file out of the inbox (dispose), for a partner's orders and a warehouse's confirmations
    alike. A local inbox whose files we may read but not move (a share another account owns; a read-only mount)
    refuses the move: the file stays there, taken (its files row not disposed: the next run only moves it, and
    records, answers and reports nothing again), and the rest of the inbox goes on; ``error`` then names the
    folder to give write permission on and the files. A remote drop's errors are raised as they come (SFTP's
    own hint, ``leave_in_inbox``). ``done``/``does``: what taking a file did ("answered"/"answers");
    ``move``: the dispose to call (the stage's own name for it, which the crash tests replace)."""

    def __init__(self, local: LocalDrop, *, done: str = "answered", does: str = "answers",
                 move: Callable[[FileDrop, LocalDrop, str, bytes, str], None] | None = None) -> None:
        self.local, self.done, self.does = local, done, does
        self.move = move or dispose
        self.waiting: list[str] = []

    def __call__(self, drop: FileDrop, name: str, data: bytes, disposition: str) -> bool:
        """True once moved to processed/ or quarantine/; False when a local inbox refused the move (owed)."""
        try:
            self.move(drop, self.local, name, data, disposition)
        except OSError as exc:
            if drop is not self.local or exc.errno not in REFUSED_MOVE:
                raise
            self.waiting.append(name)
            return False
        return True

    def owed(self, drop: FileDrop, state: StateStore, key: str, stage: str, name: str,
             recorded: dict | None) -> bool:
        """Whether the file is one taken before whose move is all that is owed: recorded and not moved (a move
        refused, a run killed before it), or a duplicate reported before whose move the inbox refused (its
        FILE_DUPLICATE for ``key`` at ``stage`` says so: its file_move MOVE_REFUSED): it was archived and
        reported the run that took it; this run only moves it."""
        if recorded is None:
            return False
        if recorded["disposed_at"] is None and recorded["name"] == name:
            return True
        return drop is self.local and state.file_finding_recorded(key, stage, "FILE_DUPLICATE", name,
                                                                  file_move=MOVE_REFUSED)

    def duplicate(self, drop: FileDrop, state: StateStore, key: str, stage: str, name: str, data: bytes, *,
                  reported: str | None) -> None:
        """A duplicate to processed/ (nothing of it recorded or sent). Its FILE_DUPLICATE (``reported`` by
        this run, the run's id; None: by an earlier one) says when the inbox refused the move (file_move
        MOVE_REFUSED), and again once it moved (MOVE_MADE); its consequence is rendered from that."""
        if not self(drop, name, data, "processed"):
            if reported is not None:
                state.mark_file_move(key, stage, "FILE_DUPLICATE", name, MOVE_REFUSED, was=None, run_id=reported)
        elif reported is None:
            state.mark_file_move(key, stage, "FILE_DUPLICATE", name, MOVE_MADE, was=MOVE_REFUSED)

    def error(self) -> StorageError | None:
        """The error for the files whose move was refused this run, None when every move was made."""
        if not self.waiting:
            return None
        return StorageError(
            f"{len(self.waiting)} file(s) were taken and {self.done} but could not be moved out of the inbox "
            f"(permission denied): give OrderBridge write permission on {self.local.root / 'inbox'} and its "
            f"processed/ and quarantine/; the next run moves them and {self.does} nothing again",
            files=", ".join(self.waiting))
