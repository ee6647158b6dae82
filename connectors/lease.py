"""The workspace lease: one holder at a time may write a workspace (a nightly run, a state rebuild or
restore, a person's approve/reject/recheck). A lock with a holder: acquired, renewed, released; a
lease whose holder is gone or whose time ran out is stale and is taken over, and says so.

Today the lease is a file, `<workspace>/workspace.lock`: an exclusive flock on it is held for as long
as the lease is (the kernel drops it when the holder dies, SIGKILL included, so a dead holder on this
machine is recognised at once), and the file holds the holder's record (who, pid, host, when, until
when) as JSON for the messages and for holders on other machines. Issue 14 moves the same record into
the state store (a row per workspace or partner, with its expiry); callers only see `acquire`,
`renew`, `release` and `Holder`. Must not import parsers, rules, engine or flows.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import threading
import time
import uuid
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from schemas.errors import StateError, WorkspaceBusy

LOCK_NAME = "workspace.lock"
DEFAULT_TTL = 600.0  # seconds a lease lives without being renewed (the heartbeat renews every third of it)
POLL = 0.2

_held: dict[str, Lease] = {}  # path -> this process's lease on it (re-entrant within one process)
_guard = threading.Lock()


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds (or last held) a workspace, as written in the lease record. Times are wall clock."""

    holder_id: str
    command: str
    pid: int
    host: str
    acquired_at: str
    renewed_at: str
    expires_at: str
    released: bool = False
    note: str = ""  # what the holder is doing (a run id), for the busy message

    def describe(self) -> str:
        what = f"`orderbridge {self.command}`" + (f" ({self.note})" if self.note else "")
        return (f"{what}, process {self.pid} on {self.host}, since {self.acquired_at} "
                f"(last renewed {self.renewed_at}, expires {self.expires_at})")

    def expired(self, now: datetime) -> bool:
        try:
            return datetime.fromisoformat(self.expires_at) < now
        except ValueError:
            return True


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def _read(fd: int) -> Holder | None:
    try:
        raw = os.pread(fd, 65536, 0)
        data = json.loads(raw.decode("utf-8")) if raw.strip() else None
        return Holder(**data) if data else None
    except (OSError, ValueError, TypeError):
        return None  # an unreadable record is no holder: the flock alone decides


def read_holder(workspace: Path | str) -> Holder | None:
    """The record in a workspace's lease file (held or last released), without taking anything."""
    path = Path(workspace) / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        return _read(fd)
    finally:
        os.close(fd)


class Lease:
    """A held workspace lease. Use ``acquire`` (or ``with acquire(...)``); ``renew`` pushes the
    expiry (a heartbeat thread does it every ttl/3 while held); ``release`` ends it. ``took_over``
    is the stale holder this lease replaced, if any."""

    def __init__(self, path: Path, fd: int, holder: Holder, ttl: float, took_over: Holder | None) -> None:
        self.path, self._fd, self.ttl, self.took_over = path, fd, ttl, took_over
        self._write(holder)
        self._depth = 1
        self._stop = threading.Event()
        self._beat = threading.Thread(target=self._heartbeat, name="workspace-lease", daemon=True)
        self._beat.start()

    def _write(self, holder: Holder) -> None:
        data = (json.dumps(asdict(holder), sort_keys=True) + "\n").encode("utf-8")
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, data, 0)
        os.fsync(self._fd)
        self.holder = holder

    def renew(self, note: str | None = None) -> None:
        """Push the expiry ttl seconds ahead (and, optionally, say what the holder is doing now)."""
        with _guard:
            if self._fd < 0:
                raise StateError("the workspace lease was released", path=str(self.path))
            now = _now()
            self._write(replace(self.holder, renewed_at=now.isoformat(),
                                expires_at=(now + timedelta(seconds=self.ttl)).isoformat(),
                                note=self.holder.note if note is None else note))

    def _heartbeat(self) -> None:
        while not self._stop.wait(self.ttl / 3):
            try:
                self.renew()
            except (OSError, StateError):
                return

    def release(self) -> None:
        with _guard:
            self._depth -= 1
            if self._depth > 0 or self._fd < 0:
                return
            self._stop.set()
            try:
                self._write(replace(self.holder, released=True, renewed_at=_now().isoformat()))
            except OSError:
                pass  # the flock below is what frees the workspace
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = -1
            _held.pop(str(self.path), None)

    def __enter__(self) -> Lease:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def acquire(workspace: Path | str, command: str, *, wait: float = 0.0, ttl: float = DEFAULT_TTL,
            note: str = "") -> Lease:
    """Take the workspace's lease for ``command``, waiting up to ``wait`` seconds for a live holder;
    WorkspaceBusy (with the holder) when it is still held then. A holder that is gone (its process
    died: the kernel dropped its flock) or whose lease expired is stale: the lease is taken over and
    ``Lease.took_over`` names it. Re-entrant within one process (nested calls share the lease)."""
    path = Path(workspace) / LOCK_NAME
    with _guard:
        mine = _held.get(str(path))
        if mine is not None and mine._fd >= 0:
            mine._depth += 1
            return mine
    deadline = time.monotonic() + max(wait, 0.0)
    while True:
        fd = _open(path)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read(fd)
            os.close(fd)
            if time.monotonic() >= deadline:
                raise WorkspaceBusy("another OrderBridge process holds this workspace: "
                                    + (holder.describe() if holder else "(holder record not written yet)"),
                                    workspace=str(Path(workspace)),
                                    holder=holder.holder_id if holder else "") from None
            time.sleep(POLL)
            continue
        if not _same_file(fd, path):  # the file was replaced while we waited: lock the new one
            os.close(fd)
            continue
        previous = _read(fd)
        now = _now()
        if previous and not previous.released and previous.host != socket.gethostname() \
                and not previous.expired(now):
            # a live holder on another machine (a shared folder whose locks do not reach us)
            os.close(fd)
            if time.monotonic() >= deadline:
                raise WorkspaceBusy("another OrderBridge process holds this workspace: " + previous.describe(),
                                    workspace=str(Path(workspace)), holder=previous.holder_id)
            time.sleep(POLL)
            continue
        stale = previous if previous and not previous.released else None
        holder = Holder(uuid.uuid4().hex, command, os.getpid(), socket.gethostname(), now.isoformat(),
                        now.isoformat(), (now + timedelta(seconds=ttl)).isoformat(), note=note)
        try:
            lease = Lease(path, fd, holder, ttl, stale)
        except BaseException:
            os.close(fd)
            raise
        with _guard:
            _held[str(path)] = lease
        return lease


def _open(path: Path) -> int:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StateError(f"the workspace lease file cannot be opened: {exc.strerror or exc}", path=str(path)) from exc


def _same_file(fd: int, path: Path) -> bool:
    try:
        a, b = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)
